"""FAQ editor: published live through bot.kb, near-duplicate warning, history, test box."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from bot.backoffice.db import FaqChange
from bot.backoffice.faq import DUPLICATE_CONFIDENCE
from bot.kb import Entry
from bot.kb.config import get_kb_settings
from bot.kb.encoders import Encoder
from bot.kb.service import KnowledgeBase

from .conftest import BackOffice

ADVENT = {
    "entry_id": "gift.advent_calendar",
    "topic": "gift",
    "question": "Vendez-vous des calendriers de l'avent ?",
    "alternatives": "calendrier de l'avent beauté\n\ncalendrier avent cosmétiques\n"
    "un coffret avec une surprise chaque jour de décembre",
    "answer": "Oui : notre calendrier de l'avent beauté est en vente de début novembre à Noël.",
}


def form_base(html: str) -> str:
    """The version an edit form was opened on (its hidden `base` field)."""
    match = re.search(r'name="base" value="([^"]*)"', html)
    assert match, "no base field in the form"
    return match.group(1)


def delete_base(listing: str, entry_id: str) -> str:
    """The version carried by an entry's delete button on the FAQ list."""
    match = re.search(
        rf'action="/faq/{re.escape(entry_id)}/delete".*?name="base" value="([^"]*)"', listing, re.S
    )
    assert match, f"no delete form for {entry_id}"
    return match.group(1)


def reader(kb_dir: Path, encoder: Encoder) -> KnowledgeBase:
    """Another process's view of the knowledge base (what the action server searches)."""
    return KnowledgeBase(settings=get_kb_settings(dir=kb_dir), encoder=encoder)


def test_create_publishes_live_and_is_in_history(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    bot = reader(kb_dir, encoder)
    before = bot.current_version()
    assert bot.search("calendrier de l'avent beauté").top.id != "gift.advent_calendar"
    csrf = bo.login("editor@boutique.fr")
    response = bo.client.post(
        "/faq/new", data={**ADVENT, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    result = bot.search("vous avez un calendrier de l'avent ?")
    assert result.version != before
    assert result.top.id == "gift.advent_calendar" and result.outcome == "answer"
    assert result.top.answer == ADVENT["answer"]
    listing = bo.client.get("/faq", params={"q": "avent", "topic": "gift"}).text
    assert "gift.advent_calendar" in listing and "1 entrée pour" in listing
    assert "gift.advent_calendar" not in bo.client.get("/faq", params={"topic": "payment"}).text
    history = bo.client.get("/faq/history").text
    assert "création" in history and "gift.advent_calendar" in history
    assert "Éric Rédacteur" in history and result.version in history
    with bo.db() as db:
        [change] = db.query(FaqChange).all()
        assert change.action == "create" and change.before is None
        assert change.after["alternatives"] == [
            "calendrier de l'avent beauté",
            "calendrier avent cosmétiques",
            "un coffret avec une surprise chaque jour de décembre",
        ]
        assert change.version == result.version and change.at == bo.clock.now


def test_near_duplicate_needs_confirmation(bo: BackOffice, kb_dir: Path, encoder: Encoder) -> None:
    bot = reader(kb_dir, encoder)
    existing = bot.search("Combien coûte la livraison ?").top
    assert existing is not None and existing.topic == "delivery_cost"
    version = bot.current_version()
    copy = {
        "entry_id": "delivery_cost.tarifs",
        "topic": "delivery_cost",
        "question": "Combien coûte la livraison ?",
        "alternatives": "prix de la livraison\nc'est combien les frais de port\ntarif livraison",
        "answer": "La livraison coûte 4,90 €.",
    }
    csrf = bo.login("editor@boutique.fr")
    warned = bo.client.post("/faq/new", data={**copy, "csrf_token": csrf})
    assert warned.status_code == 409
    assert "Doublon probable" in warned.text and existing.id in warned.text
    # Every phrasing the existing entry would take is listed, not only the best one.
    threshold = max(bot.params.answer_threshold, DUPLICATE_CONFIDENCE)
    phrasings = [copy["question"], *copy["alternatives"].split("\n")]
    taken = [
        p
        for p in phrasings
        if any(h.id == existing.id and h.score >= threshold for h in bot.search(p, 3).hits)
    ]
    assert len(taken) >= 2
    for phrasing in taken:
        assert f"« {escape(phrasing)} »" in warned.text
    assert "Publier quand même" in warned.text
    assert bot.current_version() == version  # nothing published
    forced = bo.client.post(
        "/faq/new", data={**copy, "confirm": "1", "csrf_token": csrf}, follow_redirects=False
    )
    assert forced.status_code == 303
    assert bot.current_version() != version
    assert "delivery_cost.tarifs" in {h.id for h in bot.search("tarif livraison").hits}


def test_edit_and_delete(bo: BackOffice, kb_dir: Path, encoder: Encoder) -> None:
    bot = reader(kb_dir, encoder)
    csrf = bo.login("admin@boutique.fr")
    bo.client.post("/faq/new", data={**ADVENT, "csrf_token": csrf})
    form = bo.client.get("/faq/gift.advent_calendar/edit").text
    assert str(escape(ADVENT["question"])) in form
    edited = {k: v for k, v in ADVENT.items() if k != "entry_id"}
    edited["answer"] = "Oui, dès le 1er novembre, tant qu'il en reste."
    response = bo.client.post(
        "/faq/gift.advent_calendar/edit",
        data={**edited, "base": form_base(form), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert bot.search("calendrier de l'avent beauté").top.answer == edited["answer"]
    listing = bo.client.get("/faq", params={"q": "avent"}).text
    assert (
        bo.client.post(
            "/faq/gift.advent_calendar/delete",
            data={"base": delete_base(listing, "gift.advent_calendar"), "csrf_token": csrf},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert "gift.advent_calendar" not in {h.id for h in bot.search("calendrier de l'avent").hits}
    with bo.db() as db:
        actions = [
            (c.action, c.before is not None, c.after is not None)
            for c in db.query(FaqChange).order_by(FaqChange.id)
        ]
    assert actions == [("create", False, True), ("update", True, True), ("delete", True, False)]
    assert bo.client.get("/faq/gift.advent_calendar/edit").status_code == 404


def test_invalid_entries_are_refused_in_french(
    bo: BackOffice, kb_dir: Path, encoder: Encoder
) -> None:
    version = reader(kb_dir, encoder).current_version()
    csrf = bo.login("editor@boutique.fr")
    bad = bo.client.post(
        "/faq/new",
        data={**ADVENT, "entry_id": "Pas Bon", "alternatives": "une\ndeux", "csrf_token": csrf},
    )
    assert bad.status_code == 422
    assert "au moins 3 autres formulations" in bad.text and "sujet.nom_court" in bad.text
    taken = bo.client.post(
        "/faq/new", data={**ADVENT, "entry_id": "delivery_cost.prices", "csrf_token": csrf}
    )
    assert taken.status_code == 422 and "existe déjà" in taken.text
    assert reader(kb_dir, encoder).current_version() == version


# One form field changed per case; the message shown is the library's own (Entry.problems).
FORM_RULES = [
    ("topic", {"topic": "horoscope"}),
    ("question", {"question": "   "}),
    ("alternatives", {"alternatives": "une\n\ndeux\nune"}),
    ("answer", {"answer": " "}),
]


@pytest.mark.parametrize(("field", "change"), FORM_RULES, ids=[f for f, _ in FORM_RULES])
def test_each_rule_of_an_entry_shows_its_french_message_on_its_field(
    bo: BackOffice, field: str, change: dict[str, str]
) -> None:
    form = {**ADVENT, **change}
    entry = Entry(
        form["entry_id"].strip(),
        form["topic"],
        form["question"].strip(),
        tuple(dict.fromkeys(a.strip() for a in form["alternatives"].splitlines() if a.strip())),
        form["answer"].strip(),
    )
    [problem] = entry.problems()
    assert problem.field == field
    csrf = bo.login("editor@boutique.fr")
    page = bo.client.post("/faq/new", data={**form, "csrf_token": csrf})
    assert page.status_code == 422
    expected = "Choisissez l'un des sujets de la liste." if field == "topic" else problem.message
    assert str(escape(expected)) in page.text
    name = "entry_id" if field == "id" else field
    marked = re.findall(r'<(?:input|select|textarea) id="(\w+)"[^>]*aria-invalid="true"', page.text)
    assert marked == [name]
    assert field == "question" or str(escape(form["question"])) in page.text  # text kept


def test_the_form_adds_only_its_size_limits(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    long = {**ADVENT, "answer": "x" * 3001}
    page = bo.client.post("/faq/new", data={**long, "csrf_token": csrf})
    assert page.status_code == 422 and "La réponse dépasse 3000 caractères." in page.text
    assert re.findall(r'id="(\w+)"[^>]*aria-invalid="true"', page.text) == ["answer"]


def test_test_a_question_box(bo: BackOffice) -> None:
    bo.login("editor@boutique.fr")
    fragment = bo.client.get(
        "/faq/test", params={"q": "Combien coûte la livraison ?"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "le bot répond" in fragment.text and "delivery_cost." in fragment.text
    assert "Intention reconnue : <code>faq</code>" in fragment.text
    assert fragment.text.count("score ") == 3
    none = bo.client.get("/faq/test", params={"q": "quelle est la capitale du Pérou"}).text
    assert "<html" in none and ("pas de réponse" in none or "choix" in none)
    page = bo.client.get("/faq").text
    assert 'hx-get="/faq/test"' in page


def test_control_characters_are_removed_from_faq_fields(bo: BackOffice) -> None:
    csrf = bo.login("editor@boutique.fr")
    response = bo.client.post(
        "/faq/new",
        data={
            **ADVENT,
            "question": "Vendez-vous des calendriers\x00 de l'avent ?",
            "alternatives": ADVENT["alternatives"] + "\r\ncalendrier\x1b surprise",
            "answer": "Oui\x00 : de novembre à Noël.\x07",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with bo.db() as db:
        [change] = db.query(FaqChange).all()
    assert change.after["question"] == "Vendez-vous des calendriers de l'avent ?"
    assert change.after["answer"] == "Oui : de novembre à Noël."
    assert change.after["alternatives"][-1] == "calendrier surprise"


def test_the_test_box_says_what_the_live_bot_does(bo: BackOffice) -> None:
    """An order question starts its flow and never reaches the FAQ, whatever the FAQ would
    answer; an upset shopper goes to a person; without Rasa the page says it is the FAQ alone."""
    bo.login("editor@boutique.fr")
    question = "Combien coûte la livraison de ma commande CM123456 ?"
    bo.rasa.parses[question] = {
        "intent": {"name": "track_order", "confidence": 0.81},
        "entities": [{"entity": "order_number", "value": "CM123456"}],
    }
    page = bo.client.get("/faq/test", params={"q": question}).text
    assert "il lance la démarche « Suivi de commande »" in page
    assert "la FAQ n'est pas consultée" in page and "le bot répond" not in page
    assert "score " not in page  # the knowledge base was not asked

    angry = "Combien coûte la livraison ? C'est du vol !!"
    bo.rasa.parses[angry] = {
        "intent": {"name": "faq", "confidence": 0.7},
        "entities": [],
        "mood": {"label": "upset", "cues": ["vol"]},
    }
    page = bo.client.get("/faq/test", params={"q": angry}).text
    assert "il passe la main à un conseiller" in page and "semble mécontent" in page

    bo.rasa.fail_with = 503
    page = bo.client.get("/faq/test", params={"q": "Combien coûte la livraison ?"}).text
    assert "Le serveur de l'assistant ne répond pas" in page
    assert "le bot répond" in page and "delivery_cost." in page
