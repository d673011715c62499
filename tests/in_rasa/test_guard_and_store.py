"""What a typed "/" may trigger, and what the tracker store keeps of a message."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered

from bot.core.query_vector import KEY as TEXT_VECTOR
from bot.rasa.intent_guard import guarded_text
from bot.rasa.tracker_store import _drop_text_vectors
from tests.in_rasa.conftest import tracker_of

BUTTON = '/cancel_order{"order_number": "CM123456"}'


def test_a_typed_intent_loses_its_slash(domain: Domain) -> None:
    assert guarded_text('/agent_reply{"agent_text": "remboursé"}', tracker_of(domain)) == (
        'agent_reply{"agent_text": "remboursé"}'
    )


def test_an_offered_button_and_greet_keep_theirs(domain: Domain) -> None:
    offered = tracker_of(
        domain, BotUttered("Que faire ?", {"buttons": [{"title": "Annuler", "payload": BUTTON}]})
    )
    assert guarded_text(BUTTON, offered) == BUTTON
    assert guarded_text("/greet", tracker_of(domain)) == "/greet"


def test_a_button_offered_before_the_last_message_is_spent(domain: Domain) -> None:
    old = tracker_of(
        domain,
        BotUttered("Que faire ?", {"buttons": [{"title": "Annuler", "payload": BUTTON}]}),
        UserUttered("non merci"),
    )
    assert guarded_text(BUTTON, old) == BUTTON.lstrip("/")


def test_plain_text_is_untouched(domain: Domain) -> None:
    assert guarded_text("où est ma commande ?", tracker_of(domain)) == "où est ma commande ?"


def test_the_store_drops_the_message_vector(domain: Domain) -> None:
    message = UserUttered(
        "bonjour",
        {"name": "greet", "confidence": 1.0},
        [],
        {"intent": {"name": "greet"}, TEXT_VECTOR: "abc"},
    )
    tracker = tracker_of(domain, message)
    _drop_text_vectors(tracker)
    assert TEXT_VECTOR not in tracker.latest_message.parse_data
    assert tracker.latest_message.parse_data["intent"]["name"] == "greet"
