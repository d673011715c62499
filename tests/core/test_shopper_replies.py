"""Typed replies inside a flow (bot/core/shopper_replies.py)."""

from __future__ import annotations

import pytest

from bot.core.shopper_replies import (
    asks_what_is_possible,
    choose_items,
    claim_kind,
    is_question,
    parcel_not_received,
    rating_from_text,
    yes_or_no,
)


@pytest.mark.parametrize(
    "text, intent, expected",
    [
        ("oui annulez", "cancel_order", True),
        ("ok allez-y", None, True),
        ("ui vas y", None, True),
        ("euh attendez... bon oui annulez", None, True),
        ("oui je confirme", "affirm", True),
        ("/affirm", "affirm", True),
        ("c'est ça", None, True),
        ("non finalement je la garde", None, False),
        ("non je prefere attendre", None, False),
        ("laissez tomber", "stop", False),
        ("/deny", "deny", False),
        ("nan", None, False),
        ("et je serai remboursé quand si j'annule ?", "faq", None),
        ("le retour est gratuit ?", None, None),
        ("il est trop petit", None, None),
    ],
)
def test_yes_and_no_are_read_from_typed_words(text, intent, expected):
    assert yes_or_no(text, intent) is expected


@pytest.mark.parametrize(
    "text, kind",
    [
        ("cassé", "damaged"),
        ("c tout cassé", "damaged"),
        ("le flacon fuit", "damaged"),
        ("il en manque un", "missing"),
        ("jamais arrivé", "missing"),
        ("colis vide", "missing"),
        ("pas le bon article", "wrong_item"),
        ("j'ai reçu la mauvaise taille", "wrong_item"),
        ("deux verres cassés, commande CM123456", "damaged"),
        ("bonjour", None),
    ],
)
def test_claim_kinds_in_words(text, kind):
    assert claim_kind(text) == kind


def test_a_parcel_never_received_is_not_an_item_missing_from_it():
    assert parcel_not_received("le suivi dit livré mais j'ai rien reçu")
    assert not parcel_not_received("il manque un article dans le colis")


ITEMS = [
    {"sku": "MAI-1", "name": "Théière en fonte 1 L"},
    {"sku": "MAI-2", "name": "Lot de 6 verres à vin"},
    {"sku": "MOD-3", "name": "Pull col rond en laine mérinos"},
]


@pytest.mark.parametrize(
    "text, skus",
    [
        ("1", ["MAI-1"]),
        ("le 2e", ["MAI-2"]),
        ("le premier", ["MAI-1"]),
        ("le dernier", ["MOD-3"]),
        ("1 et 3", ["MAI-1", "MOD-3"]),
        ("tous", ["MAI-1", "MAI-2", "MOD-3"]),
        ("la théière", ["MAI-1"]),
        ("le pull", ["MOD-3"]),
        ("les verres a vin", ["MAI-2"]),
        ("rien de tout ça", []),
        ("bonjour", []),
    ],
)
def test_items_by_position_or_name(text, skus):
    assert choose_items(text, ITEMS) == skus


@pytest.mark.parametrize(
    "text, possible",
    [
        ("et si ça n'arrive pas à temps je peux annuler ?", True),
        ("on peut annuler une commande apres l'avoir passée ?", True),
        ("elle peut le renvoyer elle meme ?", True),
        ("en combien de temps vous remboursez apres un retour ?", True),
        ("et j'ai combien de temps pour renvoyer ?", True),
        ("je veux annuler ma commande", False),
        ("et je peux l'avoir au nom de ma société ?", True),
        ("est-ce que je peux changer l'adresse ?", True),
        ("Est-il possible de l'annuler ?", False),
        ("annulez svp", False),
    ],
)
def test_questions_about_what_is_possible(text, possible):
    assert asks_what_is_possible(text) is possible


def test_a_named_order_makes_it_a_request():
    assert not asks_what_is_possible(
        "on peut annuler une commande CM123456 ?", has_order_number=True
    )
    assert is_question("je peux pas plutôt l'échanger ?")


@pytest.mark.parametrize(
    "text, rating",
    [
        ("5", 5),
        ("4 étoiles", 4),
        ("bof", 3),
        ("très bien merci", 5),
        ("nul", 1),
        ("pas terrible", 2),
        ("⭐⭐⭐⭐", 4),
        ("je sais pas", None),
    ],
)
def test_a_typed_rating(text, rating):
    assert rating_from_text(text) == rating
