"""What an order number looks like in the shop this deployment serves (COMPTOIR_SHOP).

The demo shop writes CM482913; WooCommerce numbers orders 1234, PrestaShop gives each a
reference of nine capital letters (XKBKNABJK), Shopify names them #1001. The Rasa server finds
numbers in what shoppers type and the action server checks them, so both read the one format
chosen here, from the environment both processes share (stdlib only: loaded by both Pythons).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderNumbers:
    """One platform's order numbers. `in_text` finds one in any message (strict enough that
    postcodes, prices and plain words are not taken for one); `bare` is a whole answer that is
    one once the bot has asked for the number ("1234" for WooCommerce); `attempt` finds what
    the shopper offered as the number when asked, valid or not (so that a wrong length gets
    "ce numéro ne ressemble pas…", not a question about something else). Group 1 of
    `in_text` and `bare` is the number's core."""

    platform: str
    in_text: re.Pattern[str]
    bare: re.Pattern[str]
    attempt: re.Pattern[str]
    prefix: str  # the shop writes prefix + core
    example: str
    described: str  # "CM suivi de 6 chiffres", said when a shopper types something else

    def canonical(self, core: str) -> str:
        return f"{self.prefix}{core.upper()}"

    def find(self, text: str) -> str | None:
        match = self.in_text.search(text)
        return self.canonical(match.group(1)) if match else None

    def normalise(self, raw: str) -> str | None:
        """The shop's spelling of a number found in `raw`, or of `raw` itself when it is a
        whole attempt at one ('482913' -> 'CM482913'); None when it cannot be one."""
        raw = raw.strip()
        found = self.find(raw)
        if found:
            return found
        whole = self.bare.fullmatch(raw)
        return self.canonical(whole.group(1)) if whole else None


# "commande 1234", "cde n°1234", "n° 1234", "#1234": a marker, since bare digits are more often
# a postcode, a price or a quantity than a WooCommerce order id.
_MARKED = r"(?:(?:commande|cde|cmd)\s*(?:n\s?[°o]\.?|num[ée]ro|#)?\s*|n\s?°\s*|#\s*)"

FORMATS: dict[str, OrderNumbers] = {
    # "CM482913", "cm 482913", "cm-482913", "n°482913", "#482913", or six digits alone.
    # Postcodes have five digits, phone numbers are longer runs or pairs, so six digits alone
    # are unambiguous.
    "demo": OrderNumbers(
        "demo",
        re.compile(r"(?<![\w@.])(?:cm[\s\-_#:]*)?(\d{6})(?![\w@]|\.\w)", re.IGNORECASE),
        re.compile(r"(?:cm[\s\-_#:]*)?(\d{6})", re.IGNORECASE),
        re.compile(r"(?<![\w@.])\d{4,8}(?![\w@])"),
        "CM",
        "CM123456",
        "il commence par CM, suivi de 6 chiffres",
    ),
    "woocommerce": OrderNumbers(
        "woocommerce",
        re.compile(rf"(?<![\w@.]){_MARKED}(\d{{1,9}})(?![\w@]|[.,]\d)", re.IGNORECASE),
        re.compile(rf"(?:{_MARKED})?(\d{{1,9}})", re.IGNORECASE),
        re.compile(r"(?<![\w@.])\d{1,12}(?![\w@])"),
        "",
        "1234",
        "c'est un nombre, par exemple 1234",
    ),
    # Nine capital letters standing alone: lower-case words ("commandes") are not references.
    "prestashop": OrderNumbers(
        "prestashop",
        re.compile(r"(?<![\w@.])([A-Z]{9})(?![\w@])"),
        re.compile(r"(?:r[ée]f(?:[ée]rence)?\s*:?\s*)?([a-z]{9})", re.IGNORECASE),
        # Capitals anywhere, or a lone word as the whole answer ("xkbknabjk").
        re.compile(r"^\s*[A-Za-z]{7,11}\s*$|(?<![\w@.])[A-Z]{7,11}(?![\w@])"),
        "",
        "XKBKNABJK",
        "c'est la référence de 9 lettres, par exemple XKBKNABJK",
    ),
    "shopify": OrderNumbers(
        "shopify",
        re.compile(rf"(?<![\w@.]){_MARKED}(\d{{3,10}})(?![\w@]|[.,]\d)", re.IGNORECASE),
        re.compile(rf"(?:{_MARKED})?(\d{{3,10}})", re.IGNORECASE),
        re.compile(r"(?<![\w@.])#?\s*\d{1,12}(?![\w@])"),
        "#",
        "#1001",
        "il commence par #, suivi de chiffres, par exemple #1001",
    ),
}


def current() -> OrderNumbers:
    """The format of the shop COMPTOIR_SHOP names (the demo shop's when unset or unknown:
    the settings object of each 3.11 process rejects an unknown platform at start-up)."""
    return FORMATS.get(os.environ.get("COMPTOIR_SHOP", "demo").strip().lower(), FORMATS["demo"])
