"""Who asked for a person, and the rule that keeps a hand-off only for them (messages written
for these tests, never from ../shared/eval)."""

from __future__ import annotations

import pytest

from bot.core.person import asks_for_person, gated

HANDOFF = {"name": "human_handoff", "confidence": 0.55}
RANKING = [HANDOFF, {"name": "track_order", "confidence": 0.3}, {"name": "faq", "confidence": 0.1}]


@pytest.mark.parametrize(
    "text",
    [
        "je veux parler à un conseiller",
        "un humain svp",
        "passez moi qqn",
        "vous avez un numéro de téléphone pour vous joindre ?",
        "je préfère qu'on me rappelle",
        "je veux causer avec un vrai employé",
        "est ce que je parle a un robot",
        "passez-moi votre supérieur",
        "je vais saisir la répression des fraudes",
        "je vais laisser un avis négatif partout",
        "je veux faire une réclamation",
    ],
)
def test_asks_for_a_person(text: str):
    assert asks_for_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "j'ai un souci avec ma commande",
        "toujours rien reçu, vraiment déçue",
        "c'est compliqué votre site",
        "ma carte est refusée",
        "",
    ],
)
def test_does_not_ask_for_a_person(text: str):
    assert not asks_for_person(text)


def test_a_handoff_nobody_asked_for_becomes_the_next_intent():
    intent, ranking = gated(HANDOFF, RANKING, "j'ai un souci avec ma commande", {"label": "calm"})
    assert intent == {"name": "track_order", "confidence": 0.3}
    assert [entry["name"] for entry in ranking] == ["track_order", "faq"]


@pytest.mark.parametrize(
    "text, mood",
    [
        ("je veux parler à un conseiller", {"label": "calm"}),
        ("c'est inadmissible", {"label": "upset"}),
    ],
)
def test_a_handoff_asked_for_or_upset_stands(text: str, mood: dict):
    assert gated(HANDOFF, RANKING, text, mood) == (HANDOFF, RANKING)


def test_other_intents_pass_untouched():
    intent = {"name": "faq", "confidence": 0.9}
    assert gated(intent, [intent], "bonjour", None) == (intent, [intent])
