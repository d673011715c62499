"""Constraints pulled out of shoppers' sentences."""

from __future__ import annotations

from typing import Any

import pytest

from bot.catalogue.query import parse, product_types

CASES: list[tuple[str, dict[str, Any], str]] = [
    # sentence, constraints expected (exactly), product words expected ("" = don't check)
    (
        "vous l'avez encore en 42 la bottine chelsea noire, max 90 € ?",
        {"size": "42", "colour": "noir", "max_price": 90.0, "in_stock": True},
        "bottine chelsea",
    ),
    (
        "robe rouge taille M moins de 50 euros",
        {"size": "M", "colour": "rouge", "max_price": 50.0},
        "robe",
    ),
    ("eau de parfum rose ancienne 50ml", {"volume_ml": 50}, "eau parfum rose ancienne"),
    ("c'est le même prix en 100 ?", {"volume_ml": 100}, ""),
    ("vous l'avez encore en 50 ml ?", {"volume_ml": 50, "in_stock": True}, ""),
    ("jean slim en 38 pas plus de 60e", {"size": "38", "max_price": 60.0}, "jean slim"),
    ("un pull taille xl", {"size": "XL"}, "pull"),
    ("je chausse du 41, des baskets blanches", {"size": "41", "colour": "blanc"}, "baskets"),
    ("pointure 39", {"size": "39"}, ""),
    ("cocotte 24 cm", {"size": "24 cm"}, "cocotte"),
    ("parure de lit 240 x 260", {"size": "240 x 260"}, "parure lit"),
    ("bouilloire 1,7 L inox", {"capacity": "1,7 l", "colour": "inox"}, "bouilloire"),
    ("batterie 20 000 mAh dispo ?", {"capacity": "20 000 mah", "in_stock": True}, "batterie"),
    ("cle usb 128 go", {"capacity": "128 go"}, "cle usb"),
    ("un casque max 40", {"max_price": 40.0}, "casque"),
    ("un sac a main, budget 120 euros", {"max_price": 120.0}, "sac main"),
    ("une montre 100 € maximum", {"max_price": 100.0}, "montre"),
    ("entre 30 et 50 euros un plaid", {"max_price": 50.0}, "plaid"),
    ("casque kelvn a reduction de bruit", {"brand": "Kelvin"}, "casque reduction bruit"),
    ("pull en cachemire de chez maison lavende", {"brand": "Maison Lavande"}, "pull cachemire"),
    ("les bougies de la fabrique douse", {"brand": "La Fabrique Douce"}, "bougies"),
    ("enceinte voltaik", {"brand": "Voltaïc"}, "enceinte"),
    ("gel douche au lait d amande", {}, "gel douche lait amande"),
    ("une cocotte en fonte emaillee", {}, "cocotte fonte emaillee"),
    ("eau de toilette lavande", {}, "eau toilette lavande"),
    ("une idée de cadeau pour ma mère, 75 ans ?", {"recipient": "femme", "gift": True}, ""),
    ("un cadeau pour mon père", {"recipient": "homme", "gift": True}, ""),
    ("un casque pour mon fils de 8 ans", {"recipient": "enfant"}, "casque"),
    ("pour ma grand-mère, une écharpe", {"recipient": "femme"}, "echarpe"),
    ("un cadeau pour un homme de 40 ans", {"recipient": "homme", "gift": True}, ""),
    ("rouge a levres mat corail", {"colour": "corail"}, "rouge a levres mat"),
    ("un rouge à lèvres rouge", {"colour": "rouge"}, "rouge a levres"),
    ("une creme pour les mains abimees", {}, "creme mains abimees"),
    ("fer a repasser couleur creme", {"colour": "creme"}, "fer repasser"),
    ("pantalon bleu marine", {"colour": "bleu marine"}, "pantalon"),
    ("bjr vs avez tjs le trench beige ?", {"colour": "beige", "in_stock": True}, "trench"),
    ("il en reste des plaids ?", {"in_stock": True}, "plaids"),
    ("eau de toilette thé noir", {}, "eau toilette the noir"),
    ("eau de parfum musc blanc en 30", {"volume_ml": 30}, "eau parfum musc blanc"),
    ("friteuse sans huile", {}, "friteuse sans huile"),
    ("", {}, ""),
]


@pytest.mark.parametrize(("text", "expected", "words"), CASES, ids=[c[0][:40] for c in CASES])
def test_parse(text: str, expected: dict[str, Any], words: str) -> None:
    query = parse(text)
    assert query.constraints() == expected
    if words:
        assert query.words == words


def test_age_is_kept() -> None:
    assert parse("un cadeau pour ma mère, 75 ans").age == 75


def test_a_lemmatiser_only_changes_the_product_words() -> None:
    query = parse("des robes rouges en M", lemmatiser=lambda w: [x.rstrip("s") for x in w])
    assert (query.words, query.colour, query.size) == ("robe", "rouge", "M")


@pytest.mark.parametrize(
    ("words", "kinds"),
    [
        ("bottine chelsea", {"bottines"}),
        ("rouge a levres mat", {"rouge a levres"}),
        ("gel douche", {"gel douche", "douche"}),
        ("truc", set()),
    ],
)
def test_product_types(words: str, kinds: set[str]) -> None:
    assert product_types(words) == kinds
