"""Order numbers in each platform's format, as the NLU finds them and the forms accept them."""

from __future__ import annotations

import pytest

from bot.core import order_numbers
from bot.core.order_numbers import FORMATS
from bot.core.patterns import find_entities, normalise_order_number


def numbers_in(text: str) -> list[object]:
    return [e["value"] for e in find_entities(text) if e["entity"] == "order_number"]


@pytest.mark.parametrize(
    ("platform", "text", "expected"),
    [
        ("demo", "ma commande cm 482913 est où ?", "CM482913"),
        ("demo", "commande 48291 svp", None),  # five digits: a postcode, not a number
        ("woocommerce", "où en est la commande n°1234 ?", "1234"),
        ("woocommerce", "ma cde #56789 n'arrive pas", "56789"),
        ("woocommerce", "je vis au 75011 et j'ai payé 49,90", None),  # bare digits: no
        ("prestashop", "ma commande XKBKNABJK n'est pas arrivée", "XKBKNABJK"),
        ("prestashop", "mes commandes ne sont jamais arrivées", None),  # lower-case words
        ("shopify", "commande #1001 toujours pas reçue", "#1001"),
        ("shopify", "j'habite au 69003", None),
    ],
)
def test_numbers_are_found_in_the_shops_format(
    monkeypatch: pytest.MonkeyPatch, platform: str, text: str, expected: str | None
) -> None:
    monkeypatch.setenv("COMPTOIR_SHOP", platform)
    assert numbers_in(text) == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("platform", "answer", "expected"),
    [
        ("demo", "482913", "CM482913"),
        ("demo", "48291", None),
        ("woocommerce", "1234", "1234"),
        ("woocommerce", "# 1234", "1234"),
        ("prestashop", "xkbknabjk", "XKBKNABJK"),
        ("prestashop", "réf : xkbknabjk", "XKBKNABJK"),
        ("prestashop", "bonjour", None),
        ("shopify", "1001", "#1001"),
        ("shopify", "#1001", "#1001"),
        ("shopify", "12", None),
    ],
)
def test_a_whole_answer_to_the_question_is_accepted_in_the_shops_format(
    monkeypatch: pytest.MonkeyPatch, platform: str, answer: str, expected: str | None
) -> None:
    monkeypatch.setenv("COMPTOIR_SHOP", platform)
    assert normalise_order_number(answer) == expected


def test_what_is_offered_as_the_number_is_caught_even_when_it_is_not_one() -> None:
    """So that the bot says what a number looks like instead of moving on."""
    assert FORMATS["demo"].attempt.search("c'est le 48291").group(0) == "48291"  # type: ignore[union-attr]
    presta = FORMATS["prestashop"].attempt
    assert presta.search("xkbknab") is not None  # a lone word, too short: still an attempt
    assert presta.search("ma commande est partie") is None


def test_an_unknown_platform_reads_as_the_demo_shop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPTOIR_SHOP", "magento")
    assert order_numbers.current() is FORMATS["demo"]
    monkeypatch.delenv("COMPTOIR_SHOP")
    assert order_numbers.current() is FORMATS["demo"]
