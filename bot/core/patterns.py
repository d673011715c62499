"""Order numbers, e-mails and postcodes are regular: find them with regexes, not a model.

Pure functions, imported both by the Rasa component (Python 3.10) and by the action server
(Python 3.11), so that what the NLU extracts and what the actions accept is the same thing.
"""

from __future__ import annotations

import re
from typing import Dict, List

from bot.core import order_numbers

# Order numbers take the shop's format (bot/core/order_numbers.py): read it through
# `order_numbers.current()` at each use, never a copy kept at import.
EMAIL = re.compile(
    r"(?<![\w.+-])[a-z0-9][a-z0-9._%+\-]*@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}", re.IGNORECASE
)
# Metropolitan and overseas postcodes: 01000–98999, five digits standing alone.
POSTCODE = re.compile(r"(?<![\w@.,€$-])(?:0[1-9]|[1-8]\d|9[0-8])\d{3}(?![\w@]|[.,]\d|\s?€)")

MAX_SCAN = 2000  # characters; a 10,000-character message is scanned at its head only


def normalise_order_number(raw: str) -> str | None:
    """'cm 482913' / '482913' -> 'CM482913' (in the shop's format); None when it is not an
    order number."""
    return order_numbers.current().normalise(raw)


def normalise_email(raw: str) -> str | None:
    match = EMAIL.search(raw.strip())
    return match.group(0).lower().rstrip(".") if match else None


def normalise_postcode(raw: str) -> str | None:
    match = POSTCODE.search(raw.strip())
    return match.group(0) if match else None


def find_entities(text: str) -> List[Dict[str, object]]:
    """Entities in Rasa's format (entity, start, end, value), e-mails first so that digits
    inside an address are never read as an order number or a postcode."""
    text = (text or "")[:MAX_SCAN]
    found: List[Dict[str, object]] = []
    taken: List[range] = []

    def free(start: int, end: int) -> bool:
        return all(end <= span.start or start >= span.stop for span in taken)

    numbers = order_numbers.current()
    for name, pattern, value_of in (
        ("email", EMAIL, lambda m: m.group(0).lower().rstrip(".")),
        ("order_number", numbers.in_text, lambda m: numbers.canonical(m.group(1))),
        ("postcode", POSTCODE, lambda m: m.group(0)),
    ):
        for match in pattern.finditer(text):
            if free(match.start(), match.end()):
                taken.append(range(match.start(), match.end()))
                found.append(
                    {
                        "entity": name,
                        "start": match.start(),
                        "end": match.end(),
                        "value": value_of(match),
                        "confidence_entity": 1.0,
                    }
                )
    return sorted(found, key=lambda entity: entity["start"])  # type: ignore[arg-type,return-value]
