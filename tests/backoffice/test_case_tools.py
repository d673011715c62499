"""The case page's tools (issue 19, "Inbox"): private notes that never reach Rasa or the shopper,
reassigning a case to a colleague, canned replies shared by the team with {prenom} and
{commande} filled from the case. Service and HTTP layers on a real SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, inspect, select, text

from bot.backoffice import case_tools, cases
from bot.backoffice.app import create_app
from bot.backoffice.db import CannedReply, CaseNote, Handoff, HandoffMessage, User
from bot.backoffice.routes import case_tools as case_routes
from bot.settings import Settings

from .conftest import BackOffice, Clock, RasaStandIn

HTMX = {"HX-Request": "true"}
NOTE = "Cliente très pressée : rappeler avant 18 h <b>urgent</b>"
VERIFIED = {
    "sender_id": "conv-v",
    "slots": {
        "verified_order": "CM483391",
        "order_facts": {"number": "CM483391", "status": "shipped", "first_name": "Léa"},
    },
    "events": [],
}


@dataclass(frozen=True)
class Hit:
    question: str
    answer: str
    score: float


class StubKnowledgeBase:
    """The suggestions' knowledge base, reduced to what the case page asks of it (these tests
    are about the case tools, not the search: no encoder to load)."""

    def search(self, question: str, limit: int) -> Any:
        hits = [Hit(f"Question {n}", f"Réponse {n} à « {question} »", 0.9) for n in range(limit)]
        return SimpleNamespace(hits=hits)


@pytest.fixture
def office(settings: Settings, clock: Clock, rasa: RasaStandIn) -> Iterator[BackOffice]:
    """The back office with the case tools' router (app.py registers it once the lead wires it;
    until then the test adds it, the same way), and the users of each role."""
    app = create_app(settings, kb=StubKnowledgeBase(), clock=clock)
    if not any(getattr(r, "path", "") == "/inbox/{handoff_id}/notes" for r in app.routes):
        app.include_router(case_routes.router)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        office = BackOffice(client, app, rasa, clock)
        office.add_user("agent@boutique.fr", "agent", "Alice Agent")
        office.add_user("editor@boutique.fr", "editor", "Éric Rédacteur")
        office.add_user("admin@boutique.fr", "admin", "Ada Admin")
        office.add_user("julie@boutique.fr", "agent", "Julie Martin")
        office.add_user("ancien@boutique.fr", "agent", "Ancien Collègue", active=False)
        yield office


def _client(office: BackOffice, email: str) -> tuple[TestClient, str]:
    client = TestClient(office.app, base_url="http://127.0.0.1")
    return client, office.login(email, client=client)


def _sent(call: Any) -> str:
    """Everything a call to Rasa carried, decoded (the raw body escapes accents)."""
    return json.dumps([call.params, call.query], ensure_ascii=False)


def _case(office: BackOffice, case_id: int) -> Handoff:
    with office.db() as db:
        case = db.get(Handoff, case_id)
        assert case is not None
        return case


# ── Private notes ─────────────────────────────────────────────────────────────────────────


def test_a_private_note_is_kept_for_the_team_and_never_reaches_rasa(office: BackOffice) -> None:
    case = office.handoff("conv-n")
    csrf = office.login("agent@boutique.fr")

    saved = office.client.post(
        f"/inbox/{case['id']}/notes", data={"text": NOTE, "csrf_token": csrf}, headers=HTMX
    )
    assert saved.status_code == 200 and saved.headers["HX-Trigger"] == "case-note-saved"
    # shown with its author and time (10:00 in Paris), as text, never as markup
    assert "Alice Agent" in saved.text and "le 25/11 à 10:00" in saved.text
    assert "&lt;b&gt;urgent&lt;/b&gt;" in saved.text and "<b>urgent" not in saved.text
    assert "Note ajoutée" in saved.text

    # nothing went to Rasa, so nothing can reach the shopper's conversation
    assert office.rasa.triggers() == []
    assert not any("pressée" in _sent(c) for c in office.rasa.calls)
    with office.db() as db:
        notes = list(db.scalars(select(CaseNote)))
        assert [(n.handoff_id, n.text, n.author_id) for n in notes] == [
            (case["id"], NOTE, office.users["agent@boutique.fr"])
        ]
        # not a message of the case either (those are what the shopper was sent or wrote)
        assert not any("pressée" in m.text for m in db.scalars(select(HandoffMessage)))
    assert "pressée" not in office.client.get(f"/inbox/{case['id']}/messages").text

    # the agent's next reply carries the reply only
    replied = office.client.post(
        f"/inbox/{case['id']}/reply",
        data={"text": "Je regarde votre colis.", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert replied.status_code == 303
    [trigger] = office.rasa.triggers()
    assert trigger.params["entities"]["agent_text"] == "Je regarde votre colis."
    assert "pressée" not in _sent(trigger)

    # a colleague reads the list; a plain form post comes back to the case
    listed = office.client.get(f"/inbox/{case['id']}/notes").text
    assert listed.count('class="case-note"') == 1 and "Note ajoutée" not in listed
    plain = office.client.post(
        f"/inbox/{case['id']}/notes",
        data={"text": "Deuxième note", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"/inbox/{case['id']}#notes-h"
    assert office.client.get(f"/inbox/{case['id']}/notes").text.count('class="case-note"') == 2
    assert len(office.rasa.triggers()) == 1


def test_notes_are_refused_empty_or_without_the_right(office: BackOffice) -> None:
    case = office.handoff("conv-r")
    csrf = office.login("agent@boutique.fr")
    empty = office.client.post(
        f"/inbox/{case['id']}/notes", data={"text": " \n\x00 ", "csrf_token": csrf}, headers=HTMX
    )
    assert empty.status_code == 422 and "La note est vide." in empty.text
    forged = office.client.post(f"/inbox/{case['id']}/notes", data={"text": "x"})
    assert forged.status_code == 403
    missing = office.client.post("/inbox/999/notes", data={"text": "x", "csrf_token": csrf})
    assert missing.status_code == 404

    editor, editor_csrf = _client(office, "editor@boutique.fr")
    with editor:
        assert editor.get(f"/inbox/{case['id']}/notes").status_code == 403
        refused = editor.post(
            f"/inbox/{case['id']}/notes", data={"text": "x", "csrf_token": editor_csrf}
        )
        assert refused.status_code == 403
    with office.db() as db:
        assert db.scalar(select(CaseNote)) is None


def test_notes_go_with_their_case_when_privacy_deletes_it(office: BackOffice) -> None:
    """bot/privacy's erase and purge delete a case with plain DELETEs (messages, then case):
    its notes go with it (ON DELETE CASCADE), on SQLite as on PostgreSQL."""
    case = office.handoff("conv-p")
    office.login("agent@boutique.fr")
    with office.db() as db:
        author = db.get(User, office.users["agent@boutique.fr"])
        handoff = db.get(Handoff, case["id"])
        case_tools.add_note(db, handoff, author, "Adresse : 3 rue des Lilas", office.clock())
    with office.db() as db:
        assert [n.text for n in db.get(Handoff, case["id"]).notes] == ["Adresse : 3 rue des Lilas"]
        db.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id == case["id"]))
        db.execute(delete(Handoff).where(Handoff.id == case["id"]))
        db.commit()
        assert db.scalar(select(CaseNote)) is None


def test_a_shoppers_export_holds_the_notes_on_their_cases(office: BackOffice) -> None:
    from bot.privacy.criteria import Criteria
    from bot.privacy.service import Findings, export_data

    case = office.handoff("conv-x")
    with office.db() as db:
        author = db.get(User, office.users["agent@boutique.fr"])
        case_tools.add_note(db, db.get(Handoff, case["id"]), author, "A rappelé", office.clock())
    with office.db() as db:
        handoff = db.get(Handoff, case["id"])
    findings = Findings(Criteria.build(conversations=["conv-x"]), cases=[handoff])
    [exported] = export_data(findings)["cases"]
    assert exported["notes"] == [{"at": "2026-11-25T09:00:00+00:00", "text": "A rappelé"}]


# ── Reassign ──────────────────────────────────────────────────────────────────────────────


def test_an_agent_gives_a_case_to_a_colleague_who_then_has_it(office: BackOffice) -> None:
    case = office.handoff("conv-a")
    csrf = office.login("agent@boutique.fr")
    julie = office.users["julie@boutique.fr"]

    panel = office.client.get(f"/inbox/{case['id']}/assignment").text
    assert "Personne ne suit encore ce cas." in panel
    # active agents and admins only: not the editor, not a deactivated account
    assert "Julie Martin" in panel and "Ada Admin" in panel and "Alice Agent (moi)" in panel
    assert "Éric" not in panel and "Ancien" not in panel
    assert 'hx-confirm="Confier ce cas au collègue choisi ?"' in panel

    given = office.client.post(
        f"/inbox/{case['id']}/reassign",
        data={"user_id": str(julie), "csrf_token": csrf},
        headers=HTMX,
    )
    assert given.status_code == 200 and given.headers["HX-Trigger"] == "case-reassigned"
    assert "le cas est maintenant suivi par Julie Martin" in given.text
    handoff = _case(office, case["id"])
    assert (handoff.status.value, handoff.assigned_to) == ("assigned", julie)
    # written in the case's history, told to nobody outside
    assert [m.text for m in handoff.messages] == ["Confié à Julie Martin par Alice Agent"]
    assert office.rasa.triggers() == []

    # Julie sees it as hers
    client, _ = _client(office, "julie@boutique.fr")
    with client:
        mine = client.get(f"/inbox/{case['id']}/messages").text
        assert 'Julie Martin <span class="case-mine">(vous)</span>' in mine
        assert (
            "Suivi par <strong>Julie Martin</strong> (vous)"
            in client.get(f"/inbox/{case['id']}/assignment").text
        )
    # …and Alice does not: she can no longer hand it on
    assert "(vous)" not in office.client.get(f"/inbox/{case['id']}/messages").text
    alice_panel = office.client.get(f"/inbox/{case['id']}/assignment").text
    assert "Seul Julie Martin ou un administrateur" in alice_panel and "<select" not in alice_panel


def test_who_may_reassign_and_to_whom(office: BackOffice) -> None:
    case = office.handoff("conv-b")
    alice, julie = office.users["agent@boutique.fr"], office.users["julie@boutique.fr"]
    csrf = office.login("agent@boutique.fr")

    def give(client: TestClient, token: str, to: int | str) -> Any:
        return client.post(
            f"/inbox/{case['id']}/reassign",
            data={"user_id": str(to), "csrf_token": token},
            follow_redirects=False,
        )

    # never to an editor, a deactivated account or nobody
    for target in (
        office.users["editor@boutique.fr"],
        office.users["ancien@boutique.fr"],
        4242,
    ):
        refused = give(office.client, csrf, target)
        assert refused.status_code == 422, target
        assert "Choisissez un conseiller ou un administrateur actif." in refused.text
    assert give(office.client, csrf, "pas-un-nombre").status_code == 422
    assert _case(office, case["id"]).assigned_to is None

    assert give(office.client, csrf, julie).status_code == 303
    # Alice no longer owns it: she cannot take it back, nor give it to someone else
    taken_back = give(office.client, csrf, alice)
    assert taken_back.status_code == 403 and "seul Julie Martin ou un administrateur" in (
        taken_back.text
    )
    assert _case(office, case["id"]).assigned_to == julie

    # the owner hands it on; giving it to its owner again changes nothing
    client, julie_csrf = _client(office, "julie@boutique.fr")
    with client:
        assert give(client, julie_csrf, alice).status_code == 303
        assert give(client, julie_csrf, alice).status_code == 303
    # an admin can move anybody's case
    admin, admin_csrf = _client(office, "admin@boutique.fr")
    with admin:
        assert give(admin, admin_csrf, julie).status_code == 303
    history = [m.text for m in _case(office, case["id"]).messages]
    assert history == [
        "Confié à Julie Martin par Alice Agent",
        "Réattribué de Julie Martin à Alice Agent par Julie Martin",
        "Réattribué de Alice Agent à Julie Martin par Ada Admin",
    ]

    # editors have no say; a closed case is no one's to give
    editor, editor_csrf = _client(office, "editor@boutique.fr")
    with editor:
        assert give(editor, editor_csrf, alice).status_code == 403
    with office.db() as db:
        cases.resolve(db, db.get(Handoff, case["id"]), db.get(User, julie), office.clock())
    closed = give(office.client, csrf, julie)
    assert closed.status_code == 409 and "déjà clos (résolu)" in closed.text
    assert "<select" not in office.client.get(f"/inbox/{case['id']}/assignment").text
    assert office.rasa.triggers() == []


def test_the_refusal_comes_back_into_the_panel(office: BackOffice) -> None:
    case = office.handoff("conv-c")
    csrf = office.login("agent@boutique.fr")
    refused = office.client.post(
        f"/inbox/{case['id']}/reassign",
        data={"user_id": str(office.users["editor@boutique.fr"]), "csrf_token": csrf},
        headers=HTMX,
    )
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "<html" not in refused.text and "<select" in refused.text  # the panel, still usable


# ── Canned replies ────────────────────────────────────────────────────────────────────────


def test_agents_create_edit_and_delete_the_teams_canned_replies(office: BackOffice) -> None:
    csrf = office.login("agent@boutique.fr")
    body = "Bonjour {prenom},\nvotre commande {commande} est en route."
    created = office.client.post(
        "/canned",
        data={"title": "Colis en retard", "body": body, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert created.status_code == 303 and created.headers["location"] == "/canned?fait=cree"
    page = office.client.get("/canned?fait=cree").text
    assert "Réponse type enregistrée" in page and "Colis en retard" in page
    assert "par Alice Agent" in page

    same = office.client.post(
        "/canned", data={"title": "  colis EN retard ", "body": "x", "csrf_token": csrf}
    )
    assert same.status_code == 422 and "s&#39;appelle déjà « Colis en retard »" in same.text
    assert ">x</textarea>" in same.text  # what was typed is kept
    empty = office.client.post("/canned", data={"title": "Vide", "body": " ", "csrf_token": csrf})
    assert empty.status_code == 422 and "Le texte de la réponse type est vide." in empty.text

    with office.db() as db:
        [reply] = db.scalars(select(CannedReply))
        reply_id = reply.id
    assert "Colis en retard" in office.client.get(f"/canned/{reply_id}/edit").text

    # a colleague edits it (shared by the team)
    julie, julie_csrf = _client(office, "julie@boutique.fr")
    with julie:
        edited = julie.post(
            f"/canned/{reply_id}",
            data={
                "title": "Colis en retard",
                "body": "Bonjour {prenom} !",
                "csrf_token": julie_csrf,
            },
            follow_redirects=False,
        )
        assert edited.status_code == 303
    with office.db() as db:
        reply = db.get(CannedReply, reply_id)
        assert reply.body == "Bonjour {prenom} !"
        assert reply.updated_by == office.users["julie@boutique.fr"]
        assert reply.created_by == office.users["agent@boutique.fr"]

    editor, editor_csrf = _client(office, "editor@boutique.fr")
    with editor:
        assert editor.get("/canned").status_code == 403
        assert (
            editor.post(f"/canned/{reply_id}/delete", data={"csrf_token": editor_csrf}).status_code
            == 403
        )

    page = office.client.get("/canned").text
    assert (
        'data-confirm="Supprimer la réponse type « Colis en retard » pour toute l\'équipe ?"'
        in page
    )
    deleted = office.client.post(
        f"/canned/{reply_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/canned?fait=supprime"
    with office.db() as db:
        assert db.scalar(select(CannedReply)) is None
    assert office.client.get(f"/canned/{reply_id}/edit").status_code == 404


def _canned(office: BackOffice, title: str, body: str) -> None:
    with office.db() as db:
        author = db.get(User, office.users["agent@boutique.fr"])
        case_tools.create_canned(db, author, title, body, office.clock())


def test_canned_replies_are_filled_from_the_case(office: BackOffice) -> None:
    _canned(office, "Colis en retard", "Bonjour {prenom},\nvotre commande {commande} est en route.")
    _canned(office, "Piège", "{prenom.__class__} {0} {{commande}}")
    office.rasa.trackers["conv-v"] = VERIFIED
    verified = office.handoff("conv-v", summary={"request": "Où est mon colis ?"})
    unknown = office.handoff("conv-u")
    office.login("agent@boutique.fr")

    panel = office.client.get(f"/inbox/{verified['id']}/canned").text
    # first name from the verified order (tracker), number from the verified order
    assert 'data-canned="Bonjour Léa,\nvotre commande CM483391 est en route."' in panel
    assert 'aria-label="Insérer « Colis en retard »"' in panel
    # only {prenom} and {commande} are read: the rest stays as written
    assert 'data-canned="{prenom.__class__} {0} {CM483391}"' in panel

    bare = office.client.get(f"/inbox/{unknown['id']}/canned").text
    assert 'data-canned="Bonjour,\nvotre commande {commande} est en route."' in bare
    assert "À compléter avant d'envoyer : le prénom (retiré du texte), le numéro de commande" in (
        bare
    )

    # Rasa unreachable: the summary's verified number still fills {commande}
    office.rasa.fail_with = 500
    summary_only = office.handoff(
        "conv-s", summary={"request": "Annuler", "order_number": "CM100200"}
    )
    degraded = office.client.get(f"/inbox/{summary_only['id']}/canned").text
    assert 'data-canned="Bonjour,\nvotre commande CM100200 est en route."' in degraded
    assert office.rasa.triggers() == []


def test_filling_variables() -> None:
    known = {"prenom": "Léa", "commande": "CM483391"}
    assert case_tools.fill("Bonjour {prenom}, {commande} part demain.", known) == (
        case_tools.Filled("Bonjour Léa, CM483391 part demain.", ())
    )
    assert case_tools.fill("{ Prénom }, votre colis {COMMANDE}", known).text == (
        "Léa, votre colis CM483391"
    )
    nothing: dict[str, str | None] = {"prenom": None, "commande": None}
    assert case_tools.fill("{prenom}, votre colis {commande}.", nothing) == case_tools.Filled(
        "Votre colis {commande}.", ("prenom", "commande")
    )
    assert case_tools.fill("Merci {prenom} !", nothing).text == "Merci !"
    assert case_tools.fill("Rien à remplir {x} {0}", nothing) == case_tools.Filled(
        "Rien à remplir {x} {0}", ()
    )


def test_variables_come_from_verified_data_only() -> None:
    case = Handoff(summary={"request": "Je m'appelle Zoé", "order_number": "CM1"})
    assert case_tools.case_variables(case, {}) == {"prenom": None, "commande": "CM1"}
    slots = {"verified_order": "CM2", "order_facts": {"first_name": "  Léa\n "}}
    assert case_tools.case_variables(case, slots) == {"prenom": "Léa", "commande": "CM1"}
    assert case_tools.case_variables(Handoff(summary={}), slots) == {
        "prenom": "Léa",
        "commande": "CM2",
    }
    assert case_tools.case_variables(Handoff(summary={}), {"order_facts": "x"}) == {
        "prenom": None,
        "commande": None,
    }


# ── The page ──────────────────────────────────────────────────────────────────────────────


def test_the_case_page_loads_its_tools(office: BackOffice) -> None:
    office.rasa.trackers["conv-v"] = VERIFIED
    case = office.handoff("conv-v", summary={"request": "Combien coûte la livraison ?"})
    office.login("agent@boutique.fr")
    page = office.client.get(f"/inbox/{case['id']}").text
    cid = case["id"]
    for piece in (
        '<link rel="stylesheet" href="/static/case.css">',
        '<script src="/static/case.js" defer></script>',
        f'hx-get="/inbox/{cid}/notes" hx-trigger="load"',
        f'hx-get="/inbox/{cid}/canned" hx-trigger="load"',
        f'hx-get="/inbox/{cid}/assignment" hx-trigger="load"',
        f'hx-post="/inbox/{cid}/notes"',
        'class="card case-reply"',
        "Pour l'équipe seulement : le client ne les voit jamais.",
    ):
        assert piece in page, piece
    assert "<script>" not in page and " style=" not in page  # the CSP allows neither
    # the order panel still comes before the transcript, suggestions before the reply box
    assert page.index('id="order-h"') < page.index('id="transcript-h"')
    assert page.index('class="suggestions"') < page.index('id="reply"')
    assert page.index('id="transcript-h"') < page.index('id="reply"') < page.index('id="notes-h"')
    for asset in ("/static/case.css", "/static/case.js"):
        assert office.client.get(asset).status_code == 200
    assert "position: sticky; bottom: 0" in office.client.get("/static/case.css").text


def test_the_migration_creates_the_tables(office: BackOffice) -> None:
    with office.db() as db:
        assert db.execute(text("SELECT version_num FROM alembic_version")).scalar() >= "0005"
        tables = inspect(db.get_bind()).get_table_names()
    assert {"case_notes", "canned_replies"} <= set(tables)
