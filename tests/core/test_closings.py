"""How a shopper closes a message (bot/core/closings.py)."""

from __future__ import annotations

import pytest

from bot.core.closings import before_closing, courtesy


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Vous avez la robe en 38 ? Merci d'avance, bonne journée. Marie",
            "Vous avez la robe en 38 ?",
        ),
        ("vous avez la robe en 38 ? merci bonne journée", "vous avez la robe en 38 ?"),
        (
            "Je voudrais savoir si le parfum existe en 100 ml.\nCordialement\nMarie Dupont",
            "Je voudrais savoir si le parfum existe en 100 ml.",
        ),
        ("J'ai commandé le 3 mars. Où est-il ?", "J'ai commandé le 3 mars. Où est-il ?"),
        ("Merci pour tout. Cordialement, Jean", "Merci pour tout. Cordialement, Jean"),
        ("bonne journée", "bonne journée"),
        ("  où est mon colis ", "où est mon colis"),
        ("", ""),
    ],
)
def test_the_closing_sentences_are_left_out(text, expected):
    assert before_closing(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ok merci je vais attendre", "thank"),
        ("Je vous remercie, j'attends", "thank"),
        ("j'attends alors, bonne journée", "goodbye"),
        ("merci, au revoir", "goodbye"),
        ("je vais patienter", None),
    ],
)
def test_the_courtesy_a_message_answers_to(text, expected):
    assert courtesy(text) == expected
