"""Order numbers, e-mails and postcodes found in the many ways shoppers write them."""

from __future__ import annotations

import pytest

from bot.core.patterns import find_entities, normalise_order_number


def found(text: str) -> list[tuple[str, str]]:
    return [(e["entity"], e["value"]) for e in find_entities(text)]


@pytest.mark.parametrize(
    "text",
    [
        "CM482913",
        "cm482913",
        "cm 482913",
        "cm-482913",
        "Cm_482913",
        "n°482913",
        "#482913",
        "commande 482913",
        "ma commande c'est le CM482913.",
        "(482913)",
        "numéro:482913",
    ],
)
def test_order_number_formats(text):
    assert found(text) == [("order_number", "CM482913")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Jean.Dupont75@Gmail.com", "jean.dupont75@gmail.com"),
        ("mon mail : marie_l@free.fr.", "marie_l@free.fr"),
        ("contact@ma-societe.co.uk svp", "contact@ma-societe.co.uk"),
        ("a+promo@orange.fr", "a+promo@orange.fr"),
    ],
)
def test_email_formats(text, expected):
    assert found(text) == [("email", expected)]


@pytest.mark.parametrize(
    "text", ["75011", "code postal 69003", "cp:13008", "je suis à 33000 Bordeaux"]
)
def test_postcodes(text):
    assert [entity for entity, _ in found(text)] == ["postcode"]


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78",
        "0612345678",
        "prix 15000 €",
        "12,50",
        "2026",
        "1234567",
        "le 12/11",
        "99999",
        "00123",
        "il coûte 10000 €",
    ],
)
def test_things_that_are_none_of_them(text):
    assert found(text) == []


def test_digits_inside_an_email_are_not_an_order_number():
    assert found("jdupont482913@free.fr") == [("email", "jdupont482913@free.fr")]


def test_everything_in_one_message_in_order():
    text = "Bonjour, commande cm 482913, mail lea.b@sfr.fr, livrée au 69003 Lyon"
    assert found(text) == [
        ("order_number", "CM482913"),
        ("email", "lea.b@sfr.fr"),
        ("postcode", "69003"),
    ]
    spans = [text[e["start"] : e["end"]] for e in find_entities(text)]
    assert spans == ["cm 482913", "lea.b@sfr.fr", "69003"]


def test_huge_message_is_scanned_quickly_and_safely():
    assert found("a" * 10_000 + " CM482913") == []
    assert found("CM482913 " + "😀" * 10_000) == [("order_number", "CM482913")]


def test_normalise_order_number_rejects_other_shapes():
    assert normalise_order_number("48291") is None
    assert normalise_order_number(" cm482913 ") == "CM482913"
