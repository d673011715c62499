"""Which of the shop's terms a message names (bot/core/shop_terms.py)."""

from __future__ import annotations

import pytest

from bot.core.shop_terms import topics_named


@pytest.mark.parametrize(
    "text, topics",
    [
        ("Vous faites des promos sur les parfums ?", {"promo"}),
        ("un code de réduction pour les baskets", {"promo"}),
        ("-20 % sur les jeans ?", {"promo"}),
        ("frais de port pour un canapé ?", {"delivery_cost"}),
        ("la livraison est offerte pour les matelas ?", {"delivery_cost"}),
        ("je peux payer en 3 fois le lave-linge ?", {"payment"}),
        ("vous avez la robe en 38", set()),
        ("un parfum à moins de 50 euros", set()),
    ],
)
def test_the_terms_a_message_names(text, topics):
    assert topics_named(text) == topics
