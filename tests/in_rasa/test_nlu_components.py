"""The NLU pipeline's own components on Rasa's real Message objects."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.rasa.nlu.handoff_gate import HandoffGate
from bot.rasa.nlu.mood_annotator import MOOD, MoodAnnotator

RANKING = [
    {"name": "human_handoff", "confidence": 0.41},
    {"name": "track_order", "confidence": 0.33},
    {"name": "faq", "confidence": 0.1},
]


def parsed(text: str, mood: dict[str, Any] | None = None) -> Message:
    message = Message({TEXT: text})
    message.set(INTENT, dict(RANKING[0]))
    message.set(INTENT_RANKING_KEY, [dict(r) for r in RANKING])
    if mood is not None:
        message.set(MOOD, mood)
    return message


def gate(message: Message) -> Message:
    return HandoffGate().process([message])[0]


def test_a_handoff_nobody_asked_for_gives_way_to_the_next_intent() -> None:
    message = gate(parsed("et mon colis alors"))
    assert message.get(INTENT)["name"] == "track_order"
    assert message.get(INTENT)["confidence"] == 0.33
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["track_order", "faq"]


def test_asking_for_someone_keeps_the_handoff() -> None:
    message = gate(parsed("je veux parler à un conseiller"))
    assert message.get(INTENT)["name"] == "human_handoff"
    assert len(message.get(INTENT_RANKING_KEY)) == 3


def test_an_upset_shopper_keeps_the_handoff() -> None:
    message = gate(parsed("et mon colis alors", mood={"label": "upset", "cues": ["!!!"]}))
    assert message.get(INTENT)["name"] == "human_handoff"


def test_a_button_payload_is_an_explicit_request() -> None:
    assert gate(parsed("/human_handoff")).get(INTENT)["name"] == "human_handoff"


def test_the_mood_annotator_labels_anger_and_calm() -> None:
    annotator = MoodAnnotator()
    angry, calm = annotator.process(
        [
            Message({TEXT: "C'EST INADMISSIBLE, je vais porter plainte, vous êtes des voleurs"}),
            Message({TEXT: "bonjour, je voudrais suivre ma commande s'il vous plaît"}),
        ]
    )
    assert angry.get(MOOD)["label"] == "upset"
    assert calm.get(MOOD)["label"] == "calm"
