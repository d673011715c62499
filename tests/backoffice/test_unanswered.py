"""Unanswered questions (issue 15, items 2-3): the collector on a seeded tracker store, each
kind of "could not answer" and answered messages that must not appear; the intent misses and
their Rasa NLU YAML export (shape, no personal data); the clustering on vectors with known
groups.

The helpers write Rasa tracker events the way Rasa 3.6's SQLTrackerStore writes them (one row
per event, its JSON in `data`; see tests/privacy/conftest.py); the page and browser tests
import them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
import yaml

from bot.backoffice.tracker_events import events, metadata, tracker_engine
from bot.backoffice.unanswered import cluster, collect, misses
from bot.backoffice.unanswered.evaluate import load, scores
from bot.core import replies

HUMAN = {"title": "Parler à un conseiller", "payload": "/human_handoff"}


def row(sender: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "type_name": event["event"],
        "timestamp": event.get("timestamp"),
        "intent_name": event.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": event.get("name"),
        "data": json.dumps(event),
    }


def user(
    text: str,
    at: float,
    intent: str = "faq",
    confidence: float = 0.9,
    entities: list[dict[str, Any]] | None = None,
    ranking: list[tuple[str, float]] | None = None,
) -> dict[str, Any]:
    ranking = ranking or [(intent, confidence)]
    return {
        "event": "user",
        "timestamp": at,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": entities or [],
            "text": text,
        },
        "input_channel": "socketio",
        "message_id": f"m{int(at * 1000)}",
        "metadata": {},
    }


def unsure_user(text: str, at: float, meant: str = "faq", confidence: float = 0.3) -> dict:
    """What the FallbackClassifier leaves: nlu_fallback on top, the intent meant below it."""
    return user(text, at, "nlu_fallback", 0.4, ranking=[("nlu_fallback", 0.4), (meant, confidence)])


def bot(text: str, at: float, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {
        "event": "bot",
        "timestamp": at,
        "text": text,
        "data": {"buttons": buttons} if buttons else {},
        "metadata": {"utter_action": "utter_x"},
    }


def action(name: str, at: float) -> dict[str, Any]:
    return {"event": "action", "timestamp": at, "name": name, "policy": "RulePolicy"}


def slot(name: str, value: Any, at: float) -> dict[str, Any]:
    return {"event": "slot", "timestamp": at, "name": name, "value": value}


def fallback_turn(text: str, at: float, turn: float) -> list[dict[str, Any]]:
    return [
        unsure_user(text, at),
        action("action_fallback", at + 0.1),
        bot("Je n'ai pas compris.", at + 0.2),
        slot("unsure_turn", turn, at + 0.3),
        action("action_listen", at + 0.4),
    ]


def nothing_turn(text: str, at: float, turn: float) -> list[dict[str, Any]]:
    return [
        user(text, at),
        action("action_answer_faq", at + 0.1),
        bot(replies.KB_NOTHING, at + 0.2, [HUMAN]),
        slot("unsure_turn", turn, at + 0.3),
        action("action_listen", at + 0.4),
    ]


def choose_turn(text: str, at: float, questions: list[str]) -> list[dict[str, Any]]:
    buttons = [{"title": q, "payload": q} for q in questions] + [HUMAN]
    return [
        user(text, at),
        action("action_answer_faq", at + 0.1),
        bot(replies.KB_CHOOSE, at + 0.2, buttons),
        slot("kb_topic", "product", at + 0.3),
        action("action_listen", at + 0.4),
    ]


def answer_turn(text: str, at: float, entry: str) -> list[dict[str, Any]]:
    return [
        user(text, at),
        action("action_answer_faq", at + 0.1),
        bot("Voici la réponse.", at + 0.2, [{"title": "👍 Utile", "payload": "/faq_feedback"}]),
        slot("kb_entry", entry, at + 0.3),
        slot("kb_topic", entry.split(".")[0], at + 0.3),
        action("action_listen", at + 0.4),
    ]


def feedback_turn(helpful: bool, at: float) -> list[dict[str, Any]]:
    value = "yes" if helpful else "no"
    return [
        user(
            f'/faq_feedback{{"helpful": "{value}"}}',
            at,
            "faq_feedback",
            1.0,
            [{"entity": "helpful", "value": value}],
        ),
        action("action_record_faq_feedback", at + 0.1),
        bot("Merci pour votre retour !", at + 0.2),
        slot("kb_entry", None, at + 0.3),
        action("action_listen", at + 0.4),
    ]


def handoff_turn(text: str, at: float) -> list[dict[str, Any]]:
    """The second "not understood" in a row: handed to a person."""
    return [
        unsure_user(text, at),
        action("action_fallback", at + 0.1),
        slot("unsure_turn", None, at + 0.2),
        slot("requested_slot", None, at + 0.2),
        bot("Un conseiller va vous répondre.", at + 0.3),
        slot("handoff_active", True, at + 0.4),
        action("action_listen", at + 0.5),
    ]


class Tracker:
    """A SQLite tracker store with Rasa's `events` table."""

    def __init__(self, path: Path) -> None:
        self.url = f"sqlite:///{path}"
        engine = sa.create_engine(self.url)
        metadata.create_all(engine)
        engine.dispose()

    def add(self, sender: str, conversation: list[dict[str, Any]]) -> None:
        engine = sa.create_engine(self.url)
        with engine.begin() as db:
            db.execute(sa.insert(events), [row(sender, e) for e in conversation])
        engine.dispose()


def ts(when: datetime) -> float:
    return when.astimezone(timezone.utc).timestamp()


# -- The tests ---------------------------------------------------------------------------------
START = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
END = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
T0 = ts(datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc))
ORDER_QUESTION = "Où en est ma commande CM482913 ? écrivez-moi à lea.martin@example.fr"


def seed(tracker: Tracker) -> None:
    tracker.add("c-fallback", fallback_turn("vous avez une carte de fidélité ?", T0, 1.0))
    tracker.add("c-nothing", nothing_turn("vous faites des ateliers maquillage ?", T0 + 10, 1.0))
    questions = ["Comment choisir ma taille ?", "Vos produits sont-ils authentiques ?"]
    tracker.add(
        "c-choose",
        choose_turn("c'est du vrai ou du faux", T0 + 20, questions)
        + [user("merci au revoir", T0 + 30, "goodbye"), action("utter_goodbye", T0 + 31)],
    )
    tracker.add(  # a click on an offered question: found with help, not unanswered
        "c-clicked",
        choose_turn("c'est des vrais parfums ?", T0 + 40, questions)
        + answer_turn(questions[1], T0 + 50, "product.authentiques"),
    )
    tracker.add(
        "c-unhelpful",
        answer_turn("je peux payer en bitcoin", T0 + 60, "payment.moyens")
        + feedback_turn(False, T0 + 70),
    )
    tracker.add(
        "c-handoff",
        fallback_turn("jveu parlé a qqn de la compta", T0 + 80, 1.0)
        + handoff_turn("la compta svp c urgent", T0 + 90)
        # relayed to the agent: the bot was not asked to answer it
        + [
            user("vous êtes là ?", T0 + 100, "nlu_fallback", 0.4),
            action("action_listen", T0 + 101),
        ],
    )
    tracker.add(  # answered and rated 👍: nothing to report
        "c-answered",
        answer_turn("Combien coûte la livraison ?", T0 + 110, "delivery_cost.prix")
        + feedback_turn(True, T0 + 120),
    )
    tracker.add(  # a form re-asks its question: the form's business, not the FAQ's
        "c-form",
        [
            user("euh", T0 + 130, "nlu_fallback", 0.4),
            action("action_fallback", T0 + 131),
            bot("Il me faut votre numéro de commande.", T0 + 132),
            action("track_order_form", T0 + 133),
        ],
    )
    tracker.add(  # outside the period
        "c-old", fallback_turn("vieille question", ts(START) - 3600, 1.0)
    )
    tracker.add(
        "c-misses",
        [
            user(ORDER_QUESTION, T0 + 140, "track_order", 0.35),
            user("appelez moi au 06 12 34 56 78 pour le retour", T0 + 150, "return_request", 0.3),
            user("Bonjour, je voudrais un conseil", T0 + 160, "greet", 0.95),
            user('/faq_feedback{"helpful": "no"}', T0 + 170, "faq_feedback", 0.1),
        ],
    )


@pytest.fixture
def tracker(tmp_path: Path) -> Tracker:
    store = Tracker(tmp_path / "tracker.db")
    seed(store)
    return store


def test_each_kind_of_unanswered_message_is_found_and_answered_ones_are_not(
    tracker: Tracker,
) -> None:
    with tracker_engine(tracker.url) as engine:
        found = collect.unanswered(engine, START, END)
    by_conversation = {(m.conversation, m.text): m.kind for m in found}
    assert by_conversation == {
        ("c-fallback", "vous avez une carte de fidélité ?"): "fallback",
        ("c-nothing", "vous faites des ateliers maquillage ?"): "no_answer",
        ("c-choose", "c'est du vrai ou du faux"): "choose",
        ("c-unhelpful", "je peux payer en bitcoin"): "unhelpful",
        ("c-handoff", "jveu parlé a qqn de la compta"): "fallback",
        ("c-handoff", "la compta svp c urgent"): "handoff",
    }
    rated = next(m for m in found if m.kind == "unhelpful")
    assert rated.entry == "payment.moyens" and rated.channel == "socketio"
    assert rated.at == datetime.fromtimestamp(T0 + 60, timezone.utc)
    assert [m.at for m in found] == sorted(m.at for m in found)
    assert set(collect.KINDS) == {m.kind for m in found}


def test_no_tracker_store_means_nothing_to_show(tmp_path: Path) -> None:
    with tracker_engine(f"sqlite:///{tmp_path / 'absent.db'}") as engine:
        assert collect.unanswered(engine, START, END) == []
    assert not (tmp_path / "absent.db").exists()


def test_intent_misses_are_low_confidence_typed_messages(tracker: Tracker) -> None:
    with tracker_engine(tracker.url) as engine:
        assert engine is not None
        conversations = collect.read_period(engine, START, END)
    found = misses.misses(conversations, START, END, threshold=0.4)
    assert [(m.text, m.intent, m.confidence) for m in found] == [
        ("vous avez une carte de fidélité ?", "faq", 0.3),
        ("jveu parlé a qqn de la compta", "faq", 0.3),
        ("la compta svp c urgent", "faq", 0.3),
        ("appelez moi au 06 12 34 56 78 pour le retour", "return_request", 0.3),
        (ORDER_QUESTION, "track_order", 0.35),
    ]
    # the default threshold is config.yml's FallbackClassifier's
    assert misses.config_threshold() == 0.4
    higher = misses.misses(conversations, START, END, threshold=0.92)
    assert {m.intent for m in higher} >= {"faq", "track_order", "return_request"}
    assert "greet" not in {m.intent for m in higher}


def test_the_yaml_export_is_rasa_nlu_without_personal_data(tracker: Tracker) -> None:
    with tracker_engine(tracker.url) as engine:
        assert engine is not None
        found = misses.misses(collect.read_period(engine, START, END), START, END, 0.4)
    text = misses.to_yaml(found, 0.4)
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    blocks = {item["intent"]: item["examples"] for item in data["nlu"]}
    assert set(blocks) == {"faq", "track_order", "return_request"}
    for examples in blocks.values():
        lines = examples.splitlines()
        assert lines and all(line.startswith("- ") for line in lines), examples
    assert blocks["faq"].splitlines() == [
        "- vous avez une carte de fidélité ?",
        "- jveu parlé a qqn de la compta",
        "- la compta svp c urgent",
    ]
    assert blocks["track_order"] == "- Où en est ma commande <commande> ? écrivez-moi à <e-mail>\n"
    assert blocks["return_request"] == "- appelez moi au <téléphone> pour le retour\n"
    for secret in ("482913", "lea.martin", "example.fr", "06 12 34 56 78"):
        assert secret not in text
    assert "# faq : 3 message(s), confiance dans l'ordre : 0.30, 0.30, 0.30" in text
    assert yaml.safe_load(misses.to_yaml([], 0.4)) == {"version": "3.1", "nlu": []}


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("mon tel +33 6 12 34 56 78", "mon tel <téléphone>"),
        ("0612345678 svp", "<téléphone> svp"),
        ("commande cm-482913 et code 69003", "commande <commande> et code <code postal>"),
        ("ÉCRIVEZ À Jean.Dupont+shop@Mail.FR", "ÉCRIVEZ À <e-mail>"),
        ("livraison à 49,90 € pour 3 flacons", "livraison à 49,90 € pour 3 flacons"),
    ],
)
def test_scrub(text: str, scrubbed: str) -> None:
    assert misses.scrub(text) == scrubbed
    assert misses.has_personal_data(text) is (text != scrubbed)


def test_clustering_finds_known_groups_without_being_told_how_many() -> None:
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(3, 32))
    sizes = (5, 3, 2)
    rows, truth = [], []
    for label, (centre, size) in enumerate(zip(centres, sizes, strict=True)):
        for _ in range(size):
            rows.append(centre + rng.normal(scale=0.05, size=32))
            truth.append(label)
    rows.append(rng.normal(size=32))  # a message nobody else sent
    truth.append(9)
    vectors = np.array(rows) / np.linalg.norm(rows, axis=1, keepdims=True)
    labels = cluster.cluster_labels(vectors, 0.12, "complete")
    assert labels.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3]  # biggest group first
    assert cluster.cluster_labels(vectors, 2.0, "complete").tolist() == [0] * 11
    assert cluster.cluster_labels(vectors[:1]).tolist() == [0]
    assert cluster.cluster_labels(vectors[:0]).tolist() == []


def test_the_eval_scores_are_computed_as_the_readme_defines_them() -> None:
    truth = ["a", "a", "a", "b", "b", "s1", "s2"]
    predicted = np.array([0, 0, 1, 1, 1, 2, 3])  # group 1 mixes one a and two b
    got = scores(truth, predicted)
    # grouped: 5 messages; majority of group 0 is a (2/2), of group 1 is b (2/3) -> 4/5
    assert got["purity"] == 0.8
    assert got["coverage"] == 1.0  # all 5 messages that have a true group are grouped
    assert got["singletons_kept"] == 1.0
    assert got["f"] == round(2 * 0.8 / 1.8, 3)
    assert (got["groups"], got["true_groups"]) == (2, 2)
    texts, labels = load()
    assert len(texts) >= 150 and len({label for label in labels if "singleton" not in label}) >= 15
