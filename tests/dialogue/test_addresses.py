"""One-line French addresses."""

from __future__ import annotations

import pytest

from bot.dialogue.addresses import parse_address


@pytest.mark.parametrize(
    "text, line1, postcode, city",
    [
        ("12 rue des Lilas, 44000 Nantes", "12 rue des Lilas", "44000", "Nantes"),
        ("3 bis avenue Jean Jaurès 69007 lyon", "3 bis avenue Jean Jaurès", "69007", "Lyon"),
        ("45 boulevard Haussmann 75009 Paris.", "45 boulevard Haussmann", "75009", "Paris"),
        ("7, place du Marché, 13008 Marseille", "7 place du Marché", "13008", "Marseille"),
    ],
)
def test_addresses_are_read(text, line1, postcode, city):
    address = parse_address(text, name="Léa")
    assert address is not None
    assert (address.line1, address.postcode, address.city) == (line1, postcode, city)


@pytest.mark.parametrize(
    "text",
    [
        "chez moi",
        "rue des Lilas Nantes",
        "12 rue des Lilas",
        "<script>alert(1)</script>",
        "",
        "x" * 10_000,
    ],
)
def test_incomplete_addresses_are_refused(text):
    assert parse_address(text, name="Léa") is None


def test_an_address_is_found_inside_a_sentence():
    from bot.dialogue.addresses import find_address, parse_address

    found = find_address("je déménage, livrez plutôt au 12 rue des Lilas 44000 Nantes svp")
    assert found == "12 rue des Lilas, 44000 Nantes"
    assert parse_address(found, name="X") is not None
    assert find_address("8 avenue Jean Jaurès, 69007 Lyon") == "8 avenue Jean Jaurès, 69007 Lyon"
    assert find_address("ma commande CM483391, code postal 69100") is None
