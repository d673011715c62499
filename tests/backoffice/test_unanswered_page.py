"""The « Questions sans réponse » pages with the real encoder and a real knowledge base
(tests/backoffice/conftest.py): groups by meaning with the nearest entry, « Créer une fiche »
and « Ajouter comme formulations » published through the FAQ editor's code, a group the bot
now answers leaves the list, 👎 messages stay until their entry changes, the intent misses'
page and YAML download, editors only."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from bot.backoffice import faq
from bot.backoffice.db import FaqChange
from bot.backoffice.unanswered import cluster
from bot.backoffice.unanswered.collect import Unanswered
from bot.kb.service import KnowledgeBase
from bot.settings import Settings

from .conftest import OPEN_TIME, BackOffice
from .test_unanswered import Tracker, answer_turn, feedback_turn, nothing_turn, ts, unsure_user

# Questions the test index (tests/backoffice/conftest.py) has no sure answer for, checked
# below; each pair of lists is one group at the chosen threshold.
JOBS = [
    "Vous recrutez ?",
    "vous recrutez en ce moment ?",
    "est-ce que vous recrutez des vendeuses",
]
FLASKS = [
    "vous reprenez les flacons vides ?",
    "Est-ce que je peux ramener mes flacons vides pour les recycler ?",
]
ANSWER = "Nos offres d'emploi sont publiées sur la page Recrutement, en bas de chaque page."


@pytest.fixture
def tracker(tmp_path: Path) -> Tracker:
    store = Tracker(tmp_path / "tracker.db")
    at = ts(OPEN_TIME - timedelta(days=2))
    for number, text in enumerate(JOBS + FLASKS):
        store.add(f"c-{number}", nothing_turn(text, at + 60 * number, 1.0))
    old = ts(OPEN_TIME - timedelta(days=45))
    store.add("c-old", nothing_turn("Vendez-vous des calendriers de l'avent ?", old, 1.0))
    store.add("c-miss", [unsure_user("je voudrais un truc pour ma mère", at + 999, "faq", 0.2)])
    return store


@pytest.fixture
def settings(settings: Settings, tracker: Tracker) -> Settings:
    return settings.model_copy(update={"tracker_db_url": tracker.url})


def groups_of(page: str) -> list[str]:
    return page.split('<li class="card group"')[1:]


def fields(block: str, action: str) -> dict[str, Any]:
    form = re.search(rf'<form method="post" action="{action}">(.*?)</form>', block, re.S)
    assert form, action
    found: dict[str, Any] = {}
    for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(1)):
        value = html.unescape(value)
        if name == "phrasing":
            found.setdefault(name, []).append(value)
        else:
            found[name] = value
    return found


def group_with(page: str, text: str) -> str | None:
    escaped = html.escape(text, quote=True)
    return next((g for g in groups_of(page) if escaped in g or text in g), None)


def test_groups_by_meaning_then_a_new_entry_makes_the_group_leave(bo: BackOffice) -> None:
    bo.login("editor@boutique.fr")
    page = bo.client.get("/unanswered").text
    assert "5 messages sans réponse sur 30 jours ; 2 groupes à traiter." in page
    jobs = group_with(page, JOBS[0])
    assert jobs is not None, page
    assert all(html.escape(t, quote=True) in jobs for t in JOBS)
    assert "3 messages" in jobs and "rien dans la FAQ : 3" in jobs
    assert all(bo.app.state.kb.search(t).outcome != "answer" for t in JOBS + FLASKS)
    assert "Entrée la plus proche" in jobs
    assert not any(html.escape(w, quote=True) in jobs for w in FLASKS)
    assert "calendriers" not in page  # 45 days ago: outside the period
    assert "6 messages sans réponse sur 90 jours" in bo.client.get("/unanswered?jours=90").text

    # « Créer une fiche »: the FAQ editor's form, pre-filled with the group's phrasings.
    form = fields(jobs, "/unanswered/fiche")
    assert sorted(form["phrasing"]) == sorted(JOBS)
    prefilled = bo.client.post("/unanswered/fiche", data=form)
    assert prefilled.status_code == 200
    assert 'action="/faq/new"' in prefilled.text
    question = re.search(r'id="question" name="question" value="([^"]*)"', prefilled.text)
    assert question and html.unescape(question.group(1)) in JOBS
    textarea = re.search(r'id="alternatives"[^>]*>([^<]*)</textarea>', prefilled.text)
    assert textarea
    others = set(JOBS) - {html.unescape(question.group(1))}
    assert set(html.unescape(textarea.group(1)).splitlines()) == others

    # The editor writes the answer and a third phrasing, publishes with the editor's route.
    created = bo.client.post(
        "/faq/new",
        data={
            "topic": "contact",
            "question": html.unescape(question.group(1)),
            "alternatives": "\n".join([*others, "vous embauchez ?"]),
            "answer": ANSWER,
            "confirm": "1",
            "csrf_token": form["csrf_token"],
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    kb: KnowledgeBase = bo.app.state.kb
    assert all(kb.search(t).outcome == "answer" for t in JOBS)
    assert all(kb.search(t).top.answer == ANSWER for t in JOBS)  # type: ignore[union-attr]

    after = bo.client.get("/unanswered").text
    assert group_with(after, JOBS[0]) is None
    assert "dont 3 auxquels le bot répond désormais" in after
    assert group_with(after, FLASKS[0]) is not None  # the other group stays


def test_adding_the_phrasings_to_the_nearest_entry_publishes_an_edit(bo: BackOffice) -> None:
    bo.login("editor@boutique.fr")
    page = bo.client.get("/unanswered").text
    flasks = group_with(page, FLASKS[0])
    assert flasks is not None
    form = fields(flasks, "/unanswered/ajouter")
    kb: KnowledgeBase = bo.app.state.kb
    before = next(e for e in kb.entries() if e.id == form["entry_id"])
    assert f"Ajouter comme formulations à « {before.question} »" in html.unescape(flasks)
    done = bo.client.post("/unanswered/ajouter", data=form, follow_redirects=False)
    assert done.status_code == 303 and "fait=ajoute" in done.headers["location"]
    after = next(e for e in kb.entries() if e.id == form["entry_id"])
    assert set(after.alternatives) == set(before.alternatives) | set(FLASKS)
    assert after.answer == before.answer and after.tags == before.tags
    with bo.db() as db:
        change = db.scalars(select(FaqChange).order_by(FaqChange.id.desc())).first()
        assert change is not None
        assert (change.action, change.entry_id) == ("update", before.id)
        assert change.user is not None and change.user.email == "editor@boutique.fr"
    page = bo.client.get(done.headers["location"]).text
    assert "Formulations ajoutées" in page
    assert group_with(page, FLASKS[0]) is None
    # the same form again: the entry changed since, nothing is published twice
    again = bo.client.post("/unanswered/ajouter", data=form)
    assert again.status_code == 409


def test_unhelpful_answers_stay_until_their_entry_changes(kb: KnowledgeBase) -> None:
    when = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    entry = kb.search("Combien coûte la livraison ?").top
    assert entry is not None and entry.id == "delivery_cost.prices"
    rated = Unanswered("c-1", when, "Combien coûte la livraison ?", "unhelpful", None, entry.id)
    assert cluster.review(kb, [rated]).groups[0].messages == (rated,)
    edited = {entry.id: when + timedelta(hours=1)}
    assert cluster.review(kb, [rated], edited).groups == []
    assert cluster.review(kb, [rated], edited).answered_now == 1
    earlier = {entry.id: when - timedelta(hours=1)}
    assert len(cluster.review(kb, [rated], earlier).groups) == 1


def test_messages_answered_before_are_not_listed(bo: BackOffice, tracker: Tracker) -> None:
    at = ts(OPEN_TIME - timedelta(days=1))
    tracker.add(
        "c-fine",
        answer_turn("Combien coûte la livraison ?", at, "delivery_cost.prices")
        + feedback_turn(True, at + 5),
    )
    bo.login("editor@boutique.fr")
    page = bo.client.get("/unanswered").text
    assert "Combien coûte la livraison" not in page
    assert "5 messages sans réponse" in page


def test_intent_misses_page_and_yaml_download(bo: BackOffice) -> None:
    bo.login("editor@boutique.fr")
    page = bo.client.get("/unanswered/intentions").text
    assert "je voudrais un truc pour ma mère" in page and "0.20" in page
    download = bo.client.get("/unanswered/intentions.yml?jours=7&seuil=0.4")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    data = yaml.safe_load(download.text)
    assert data == {
        "version": "3.1",
        "nlu": [{"intent": "faq", "examples": "- je voudrais un truc pour ma mère\n"}],
    }
    # a threshold above the confident turns: nothing_turn's messages were read at 0.9
    wide = yaml.safe_load(bo.client.get("/unanswered/intentions.yml?seuil=0.95").text)
    assert len(wide["nlu"][0]["examples"].splitlines()) == 1 + len(JOBS + FLASKS)


@pytest.mark.parametrize(
    "path", ["/unanswered", "/unanswered/intentions", "/unanswered/intentions.yml"]
)
def test_only_editors_read_the_shoppers_messages(bo: BackOffice, path: str) -> None:
    anonymous = bo.client.get(path, follow_redirects=False)
    assert anonymous.status_code in (303, 401)
    assert "recrutez" not in anonymous.text
    bo.login("agent@boutique.fr")
    refused = bo.client.get(path, follow_redirects=False)
    assert refused.status_code == 403 and "recrutez" not in refused.text
    bo.login("admin@boutique.fr")
    assert bo.client.get(path).status_code == 200


def test_an_unhelpful_answer_leaves_once_its_entry_is_edited(
    bo: BackOffice, tracker: Tracker
) -> None:
    at = ts(OPEN_TIME - timedelta(days=1))
    tracker.add(
        "c-rated",
        answer_turn("Combien coûte la livraison ?", at, "delivery_cost.prices")
        + feedback_turn(False, at + 5),
    )
    csrf = bo.login("editor@boutique.fr")
    rated = group_with(bo.client.get("/unanswered").text, "Combien coûte la livraison ?")
    assert rated is not None and "réponse jugée pas utile : 1" in rated
    kb: KnowledgeBase = bo.app.state.kb
    entry = next(e for e in kb.entries() if e.id == "delivery_cost.prices")
    edited = bo.client.post(
        f"/faq/{entry.id}/edit",
        data={
            "topic": entry.topic,
            "question": entry.question,
            "alternatives": "\n".join(entry.alternatives),
            "answer": entry.answer + " Le détail s'affiche dans le panier.",
            "base": faq.fingerprint(entry),
            "confirm": "1",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    bo.clock.now = OPEN_TIME + timedelta(minutes=5)
    after = bo.client.get("/unanswered").text
    assert group_with(after, "Combien coûte la livraison ?") is None


def test_without_a_tracker_store_the_pages_say_there_is_nothing(
    bo: BackOffice, tmp_path: Path
) -> None:
    bo.app.state.settings = bo.app.state.settings.model_copy(
        update={"tracker_db_url": f"sqlite:///{tmp_path / 'none' / 'tracker.db'}"}
    )
    bo.login("editor@boutique.fr")
    page = bo.client.get("/unanswered")
    assert page.status_code == 200 and "Rien à traiter sur cette période." in page.text
    assert "Aucun message sous ce seuil" in bo.client.get("/unanswered/intentions").text
    assert yaml.safe_load(bo.client.get("/unanswered/intentions.yml").text)["nlu"] == []
    assert not (tmp_path / "none").exists()
