"""Read a French postal address typed in one line ('12 rue des Lilas, 44000 Nantes')."""

from __future__ import annotations

import re

from bot.clients.shop.models import Address

ADDRESS = re.compile(
    r"^\s*(?P<street>\d{1,4}\s*(?:bis|ter)?[\s,]+[^\d].{2,80}?)[\s,]+"
    r"(?P<postcode>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})\s+(?P<city>[A-Za-zÀ-ÿ' \-]{2,60}?)\s*\.?\s*$",
    re.IGNORECASE,
)


def parse_address(text: str, name: str) -> Address | None:
    """An Address when the text holds a street with a number, a postcode and a city."""
    cleaned = re.sub(r"[<>{}\[\]\"]", " ", text or "")[:200]
    match = ADDRESS.match(cleaned)
    if not match:
        return None
    street = " ".join(match.group("street").replace(",", " ").split())
    city = " ".join(match.group("city").split()).title()
    return Address(name=name, line1=street, postcode=match.group("postcode"), city=city)


# An address inside a longer message: a number, a kind of street, a postcode and a city.
_IN_TEXT = re.compile(
    r"(?<![\w])(?P<street>\d{1,4}\s*(?:bis|ter)?,?\s+(?:rue|avenue|av\.?|boulevard|bd|chemin|"
    r"all[ée]e|place|impasse|route|quai|cours|square|r[ée]sidence|lotissement|faubourg|"
    r"sentier|passage|villa|hameau|lieu[- ]dit)\b[^\d\n]{2,80}?)[\s,]+"
    r"(?P<postcode>(?:0[1-9]|[1-8]\d|9[0-8])\d{3})\s+(?P<city>[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' \-]{1,40}"
    r"?)(?=\s*(?:[.,;!?]|$|\s+(?:svp|merci|stp)\b))",
    re.IGNORECASE,
)


def find_address(text: str) -> str | None:
    """The address a shopper gave, alone or inside a sentence, as one tidy line."""
    if parse_address(text, name="-") is not None:
        return " ".join(text.split())[:200]
    match = _IN_TEXT.search(re.sub(r"[<>{}\[\]\"]", " ", text or "")[:400])
    if not match:
        return None
    street = " ".join(match.group("street").replace(",", " ").split())
    return f"{street}, {match.group('postcode')} {' '.join(match.group('city').split())}"
