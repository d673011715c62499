"""The inbox's list (issue 19): filters kept in the URL, search over conversations and
customers, the customer's name and e-mail, reopening a closed case and its refusals, and the
signal the page uses to tell the agent (title count, new case, a shopper writing to me)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from bot.backoffice import cases
from bot.backoffice.db import Handoff, User
from bot.core.handoff import CaseStatus
from tests.channels.standins import Call

from .conftest import RASA_TOKEN, BackOffice, RasaStandIn


class EventsRasa(RasaStandIn):
    """Rasa's stand-in, also answering POST …/tracker/events (how a reopened case gives the
    conversation back to the agents: the hand-off slot)."""

    def handle(
        self, verb: str, path: str, query: dict[str, str], body: str, content_type: str
    ) -> tuple[int, Any]:
        match = re.fullmatch(r"/conversations/([^/]+)/tracker/events", path)
        if not match:
            return super().handle(verb, path, query, body, content_type)
        if query.get("token") != self.token:
            return 401, {"status": "failure", "reason": "NotAuthenticated"}
        conversation = unquote(match.group(1))
        self.record(
            Call(
                f"{verb} tracker/events", {"conversation": conversation, "events": json.loads(body)}
            )
        )
        if self.fail_with:
            return self.fail_with, {"status": "failure", "message": "boom"}
        return 200, {"sender_id": conversation, "slots": {}, "events": []}


def slot_calls(rasa: RasaStandIn) -> list[tuple[str, Any]]:
    """What the back office told Rasa through …/tracker/events, per conversation."""
    return [
        (c.params["conversation"], c.params["events"])
        for c in rasa.calls
        if c.method == "POST tracker/events"
    ]


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    stand_in = EventsRasa(RASA_TOKEN)
    stand_in.start()
    yield stand_in
    stand_in.stop()


def listed(page: str) -> list[int]:
    """The case ids of the list, in order."""
    return [int(i) for i in re.findall(r'data-case="(\d+)"', page)]


def signal(page: str) -> dict[str, str]:
    block = re.search(r'<div id="inbox-signal"[^>]*>', page, re.S)
    assert block, "no signal in the page"
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', block.group(0))}


def close(bo: BackOffice, case_id: int, csrf: str, how: str = "resolve") -> None:
    response = bo.client.post(
        f"/inbox/{case_id}/{how}", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def set_case(bo: BackOffice, case_id: int, **values: Any) -> None:
    with bo.db() as db:
        case = db.get(Handoff, case_id)
        for key, value in values.items():
            setattr(case, key, value)
        db.commit()


@pytest.fixture
def cases_seen(bo: BackOffice) -> dict[str, int]:
    """Five cases: two waiting (one upset on Telegram), one mine, one Bob's, one resolved."""
    bob = bo.add_user("bob@boutique.fr", "agent", "Bob Conseiller")
    alice = bo.users["agent@boutique.fr"]
    ids = {
        "waiting": bo.handoff("c-wait", summary={"request": "Où est mon colis ?"})["id"],
        "upset": bo.handoff(
            "c-upset",
            channel="telegram",
            reason="upset",
            priority=1,
            summary={"request": "C'est inadmissible"},
        )["id"],
        "mine": bo.handoff("c-mine", summary={"request": "Changer mon adresse"})["id"],
        "bobs": bo.handoff("c-bob", summary={"request": "Taille du pull"})["id"],
        "resolved": bo.handoff("c-done", summary={"request": "Facture perdue"})["id"],
    }
    set_case(bo, ids["mine"], status=CaseStatus.assigned, assigned_to=alice)
    set_case(bo, ids["bobs"], status=CaseStatus.assigned, assigned_to=bob)
    set_case(
        bo,
        ids["resolved"],
        status=CaseStatus.resolved,
        assigned_to=alice,
        resolved_at=bo.clock.now,
    )
    return ids


def test_filters_combine_and_stay_in_the_url(bo: BackOffice, cases_seen: dict[str, int]) -> None:
    ids = cases_seen
    bo.login("agent@boutique.fr")

    def shown(query: str) -> list[int]:
        return listed(bo.client.get(f"/inbox?{query}").text)

    # The default view: open cases, most urgent first, nothing resolved.
    assert shown("") == [ids["upset"], ids["waiting"], ids["mine"], ids["bobs"]]
    assert shown("qui=moi") == [ids["mine"]]
    assert shown("qui=personne") == [ids["upset"], ids["waiting"]]
    assert shown("priorite=1") == [ids["upset"]]
    assert shown("canal=telegram") == [ids["upset"]]
    assert shown("canal=socketio&qui=personne") == [ids["waiting"]]
    assert shown("statut=en-attente") == [ids["upset"], ids["waiting"]]
    assert shown("statut=prises") == [ids["mine"], ids["bobs"]]
    assert shown("statut=prises&qui=moi") == [ids["mine"]]
    assert shown("statut=resolues") == [ids["resolved"]]
    assert shown("statut=resolues&qui=moi") == [ids["resolved"]]
    assert shown("statut=resolues&canal=telegram") == []
    assert len(shown("statut=toutes")) == 5
    # A value the page does not offer is dropped, not an error: the default view.
    assert shown("statut=bogus&qui=everyone&priorite=9") == shown("")

    page = bo.client.get("/inbox?statut=prises&qui=moi&canal=socketio").text
    # The form shows what is applied, the live refresh keeps the same filters.
    assert '<option value="prises" selected>' in page
    assert '<option value="moi" selected>' in page
    assert '<option value="socketio" selected>Site (fenêtre de discussion)</option>' in page
    assert 'data-refresh-url="/inbox/queue?statut=prises&amp;qui=moi&amp;canal=socketio"' in page
    assert '<a href="/inbox?statut=prises" aria-current="page">' not in page  # qui/canal kept
    assert 'aria-current="page">Prises en charge</a>' in page
    fragment = bo.client.get("/inbox/queue?statut=prises&qui=moi&canal=socketio").text
    assert listed(fragment) == [ids["mine"]] and "<html" not in fragment
    empty = bo.client.get("/inbox?statut=resolues&canal=telegram").text
    assert "Aucune conversation ne correspond avec ces filtres" in empty


def test_search_ignores_accents_and_case_over_requests_orders_customers_and_words(
    bo: BackOffice,
) -> None:
    teapot = bo.handoff("s-1", summary={"request": "Remboursement de la théière"})["id"]
    order = bo.handoff("s-2", summary={"request": "Suivi de commande", "order_number": "CM483391"})[
        "id"
    ]
    email = bo.handoff(
        "s-3",
        summary={
            "request": "Retour d'un article",
            "last_messages": [
                {"sender": "bot", "text": "Quelle est votre adresse e-mail ?"},
                {"sender": "shopper", "text": "C'est Elodie.Martin@Exemple.fr"},
            ],
        },
    )["id"]
    words = bo.handoff("s-4", summary={"request": "Réclamation"})["id"]
    assert bo.api("/api/handoffs/s-4/messages", {"text": "Le colis est arrivé ABÎMÉ"}).is_success
    named = bo.handoff("s-5", summary={"request": "Question"})["id"]
    set_case(bo, named, summary={"request": "Question", "customer_name": "Léa Dupré"})
    bo.login("agent@boutique.fr")

    def found(q: str, extra: str = "") -> list[int]:
        return listed(
            bo.client.get(
                "/inbox", params={"q": q, **dict([extra.split("=")] if extra else [])}
            ).text
        )

    assert found("THEIERE") == [teapot]
    assert found("cm483391") == [order]
    assert found("elodie.martin@exemple.fr") == [email]
    assert found("élodie") == [email]
    assert found("abime colis") == [words]  # every word, in any order
    assert found("lea dupre") == [named]
    assert found("theiere abime") == []  # every word must be in the same case
    page = bo.client.get("/inbox", params={"q": "théière abîmé"}).text
    assert "Aucune conversation ne correspond à « théière abîmé »" in page
    assert 'value="théière abîmé"' in page
    # The search combines with the status: a resolved case is found in the resolved view.
    csrf = bo.login("agent@boutique.fr")
    close(bo, teapot, csrf)
    assert found("theiere") == []
    assert found("theiere", "statut=resolues") == [teapot]


def test_the_list_shows_the_customer_and_the_request(bo: BackOffice) -> None:
    known = bo.handoff(
        "k-1",
        summary={
            "request": "Suivi de commande — « où en est ma commande CM1 ? »",
            "last_messages": [
                {"sender": "shopper", "text": "où en est ma commande CM1 ?"},
                {"sender": "shopper", "text": "marie.dupont@exemple.fr"},
                {"sender": "shopper", "text": "34000"},
            ],
        },
    )["id"]
    set_case(
        bo,
        known,
        summary={
            "request": "Suivi de commande — « où en est ma commande CM1 ? »",
            "customer_name": "Marie Dupont",
            "last_messages": [{"sender": "shopper", "text": "marie.dupont@exemple.fr"}],
        },
    )
    unknown = bo.handoff("k-2", summary={"request": ""})["id"]
    bo.api("/api/handoffs/k-2/messages", {"text": "Bonjour, mon code promo ne marche pas"})
    bo.login("agent@boutique.fr")
    page = bo.client.get("/inbox").text
    row = page[page.index(f'data-case="{known}"') :]
    row = row[: row.index("</tr>")]
    assert '<span class="name">Marie Dupont</span>' in row
    assert '<span class="email">marie.dupont@exemple.fr</span>' in row
    assert "Suivi de commande — « où en est ma commande CM1 ? »" in html.unescape(row)
    assert "« 34000 »" not in html.unescape(row)
    other = page[page.index(f'data-case="{unknown}"') :]
    other = other[: other.index("</tr>")]
    assert "inconnu" in other
    assert f'<a href="/inbox/{unknown}">Bonjour, mon code promo ne marche pas</a>' in other


def test_reopen_to_the_queue_or_to_me_tells_rasa_first(bo: BackOffice) -> None:
    case_id = bo.handoff("r-1", summary={"request": "Colis jamais reçu"})["id"]
    csrf = bo.login("agent@boutique.fr")
    close(bo, case_id, csrf)
    resolved = bo.client.get("/inbox?statut=resolues").text
    assert listed(resolved) == [case_id]
    assert f'action="/inbox/{case_id}/reopen"' in resolved
    assert "et la remettre en attente d'un conseiller ?\"" in resolved  # the confirmation

    bo.clock.now += timedelta(hours=2)
    response = bo.client.post(
        f"/inbox/{case_id}/reopen",
        data={"csrf_token": csrf, "pour": "attente", "retour": "/inbox?statut=resolues&q=colis"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/inbox?statut=resolues&q=colis&rouvert={case_id}"
    slot = [{"event": "slot", "name": "handoff_active", "value": True}]
    assert slot_calls(bo.rasa) == [("r-1", slot)]
    with bo.db() as db:
        case = db.get(Handoff, case_id)
        assert (case.status, case.assigned_to, case.resolved_at) == ("waiting", None, None)
        assert case.messages[-1].text == "Rouvert par Alice Agent, remis en attente"
        assert case.updated_at == bo.clock.now
    page = bo.client.get(response.headers["location"]).text
    assert f"Conversation n° {case_id} rouverte" in page
    assert listed(bo.client.get("/inbox").text) == [case_id]  # back in the queue
    # The shopper's next message reaches the case again.
    assert bo.api("/api/handoffs/r-1/messages", {"text": "Toujours rien"}).status_code == 202

    close(bo, case_id, csrf, "return")
    mine = bo.client.post(
        f"/inbox/{case_id}/reopen", data={"csrf_token": csrf, "pour": "moi"}, follow_redirects=False
    )
    assert mine.status_code == 303 and mine.headers["location"] == f"/inbox/{case_id}"
    with bo.db() as db:
        case = db.get(Handoff, case_id)
        assert (case.status, case.assigned_to) == ("assigned", bo.users["agent@boutique.fr"])
        assert case.messages[-1].text == "Rouvert par Alice Agent, pris en charge par Alice Agent"
    assert len(slot_calls(bo.rasa)) == 2


def test_reopen_never_redirects_outside_the_inbox(bo: BackOffice) -> None:
    case_id = bo.handoff("r-out")["id"]
    csrf = bo.login("agent@boutique.fr")
    close(bo, case_id, csrf)
    response = bo.client.post(
        f"/inbox/{case_id}/reopen",
        data={"csrf_token": csrf, "pour": "attente", "retour": "https://evil.example/inbox?x=1"},
        follow_redirects=False,
    )
    assert response.headers["location"] == f"/inbox?rouvert={case_id}"


def test_reopen_refusals_say_why_and_change_nothing(bo: BackOffice) -> None:
    open_case = bo.handoff("x-open")["id"]
    csrf = bo.login("agent@boutique.fr")

    def reopen(case_id: int, client: TestClient | None = None, token: str = csrf) -> Any:
        return (client or bo.client).post(
            f"/inbox/{case_id}/reopen", data={"csrf_token": token, "pour": "attente"}
        )

    still_open = reopen(open_case)
    assert still_open.status_code == 409 and "déjà ouvert (en attente)" in still_open.text

    # The shopper came back: a newer case holds the conversation.
    old = bo.handoff("x-back")["id"]
    close(bo, old, csrf)
    newer = bo.handoff("x-back")["id"]
    superseded = reopen(old)
    assert superseded.status_code == 409
    assert (
        f"déjà un cas ouvert (n° {newer})" in superseded.text
        and f'href="/inbox/{newer}"' in superseded.text
    )

    # Closed more than 30 days ago: no reopening, no button either.
    stale = bo.handoff("x-stale")["id"]
    close(bo, stale, csrf)
    set_case(bo, stale, resolved_at=bo.clock.now - timedelta(days=30, minutes=1))
    too_late = reopen(stale)
    assert too_late.status_code == 409 and "clos depuis plus de 30 jours" in too_late.text
    assert f'action="/inbox/{stale}/reopen"' not in bo.client.get("/inbox?statut=resolues").text

    # Editors do not work on cases.
    editor = TestClient(bo.app, base_url="http://127.0.0.1")
    editor_csrf = bo.login("editor@boutique.fr", client=editor)
    fresh = bo.handoff("x-fresh")["id"]
    close(bo, fresh, csrf)
    assert reopen(fresh, editor, editor_csrf).status_code == 403
    # Rasa down: the case stays closed (the shopper would not reach the agent).
    bo.rasa.fail_with = 500
    down = reopen(fresh)
    assert down.status_code == 502 and "Cas NON rouvert" in down.text

    assert slot_calls(bo.rasa) == [
        ("x-fresh", [{"event": "slot", "name": "handoff_active", "value": True}])
    ]
    with bo.db() as db:
        states = {i: db.get(Handoff, i).status for i in (open_case, old, stale, fresh)}
    assert states == {open_case: "waiting", old: "resolved", stale: "resolved", fresh: "resolved"}


def test_only_active_agents_reopen_and_a_racing_new_case_wins(
    bo: BackOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = bo.handoff("svc-1")["id"]
    csrf = bo.login("agent@boutique.fr")
    close(bo, case_id, csrf)
    gone = bo.add_user("gone@boutique.fr", "agent", "Parti", active=False)
    with bo.db() as db:
        case = db.get(Handoff, case_id)
        for who in (bo.users["editor@boutique.fr"], gone):
            with pytest.raises(cases.NotAnAgent):
                cases.check_reopen(db, case, db.get(User, who), bo.clock.now)
        admin = db.get(User, bo.users["admin@boutique.fr"])
        cases.check_reopen(db, case, admin, bo.clock.now)  # admins may
    # A new case of the conversation opens between the check and the write: the database
    # refuses the second open case and the agent is sent to the new one.
    newer = bo.handoff("svc-1")["id"]
    real_find_open = cases.find_open
    calls: list[str] = []

    def late_find_open(db: Any, conversation_id: str) -> Handoff | None:
        calls.append(conversation_id)
        return None if len(calls) == 1 else real_find_open(db, conversation_id)

    monkeypatch.setattr(cases, "find_open", late_find_open)
    with bo.db() as db:
        case = db.get(Handoff, case_id)
        admin = db.get(User, bo.users["admin@boutique.fr"])
        with pytest.raises(cases.CaseSuperseded) as refused:
            cases.reopen(db, case, admin, bo.clock.now, to_me=True)
        assert refused.value.other_id == newer
    with bo.db() as db:
        assert db.get(Handoff, case_id).status == "resolved"


def test_the_signal_counts_waiting_cases_and_follows_my_cases(bo: BackOffice) -> None:
    bo.add_user("bob@boutique.fr", "agent", "Bob Conseiller")
    first = bo.handoff("sig-1", summary={"request": "Première demande"})["id"]
    csrf = bo.login("agent@boutique.fr")
    page = bo.client.get("/inbox").text
    assert "<title>(1) Boîte de réception — back office</title>" in page
    assert signal(page)["waiting"] == "1" and signal(page)["latest-case"] == str(first)
    bo.handoff("sig-2", summary={"request": "Deuxième demande"})
    second = signal(bo.client.get("/inbox/queue?statut=resolues").text)  # whatever the filter
    assert second["waiting"] == "2" and second["latest-case-request"] == "Deuxième demande"

    bo.client.post(f"/inbox/{first}/assign", data={"csrf_token": csrf})
    assert signal(bo.client.get("/inbox/queue").text)["latest-mine"] == "0"
    message = bo.api("/api/handoffs/sig-1/messages", {"text": "Vous êtes là ?"}).json()
    mine = signal(bo.client.get("/inbox/queue").text)
    assert (mine["latest-mine"], mine["latest-mine-case"], mine["waiting"]) == (
        str(message["message"]),
        str(first),
        "1",
    )
    assert (mine["latest-mine-from"], mine["latest-mine-request"]) == ("", "Première demande")
    # A shopper writing in a colleague's case is not "mine".
    bob = TestClient(bo.app, base_url="http://127.0.0.1")
    bob_csrf = bo.login("bob@boutique.fr", client=bob)
    other = bo.handoff("sig-3")["id"]
    bob.post(f"/inbox/{other}/assign", data={"csrf_token": bob_csrf})
    bo.api("/api/handoffs/sig-3/messages", {"text": "Allô ?"})
    assert signal(bo.client.get("/inbox/queue").text)["latest-mine"] == str(message["message"])
    empty = bo.client.get("/inbox?statut=prises&qui=personne").text
    assert "<title>(1) Boîte de réception" in empty
