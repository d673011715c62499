"""A greeting before the request (bot/core/openers.py)."""

from __future__ import annotations

import pytest

from bot.core.openers import after_greeting, already_greets, greeting


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Bonjour, où est ma commande ?", "Bonjour"),
        ("bjr ma commande", "Bonjour"),
        ("  Bonsoir madame, je voudrais annuler", "Bonsoir"),
        ("slt", "Bonjour"),
        ("hello !", "Bonjour"),
        ("coucou c moi", "Bonjour"),
        ("où est ma commande ? bonjour", None),
        ("bonjourno", None),
        ("recu ?", None),
        ("/greet", None),
        ("", None),
    ],
)
def test_a_greeting_is_found_only_at_the_start(text, expected):
    assert greeting(text) == expected


def test_a_reply_that_greets_is_not_greeted_twice():
    assert already_greets("Bonjour ! Je suis l'assistant")
    assert not already_greets("Quel est le numéro de votre commande ?")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Bonjour, où est ma commande ?", "où est ma commande ?"),
        ("bjr je n'arrive plus à me connecter", "je n'arrive plus à me connecter"),
        ("  Bonsoir ! Madame, Monsieur", "Madame, Monsieur"),
        ("bonjour", ""),
        ("où est ma commande ? bonjour", ""),
        ("/greet", ""),
        ("", ""),
    ],
)
def test_what_follows_the_greeting(text, expected):
    assert after_greeting(text) == expected
