"""Which words the inbox's suggested answers are searched for.

The shopper's latest message is often only a proof ("34000", an e-mail, an order number) or a
"ok": suggestions for it were about anything (issue 19, defect 5). So: the latest shopper
message that says something, else the request the case was opened for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core import order_numbers
from bot.core.patterns import EMAIL, POSTCODE

MIN_WORDS = 3  # "ok merci" says nothing to search for; "et la garantie ?" does
_WORD = re.compile(r"[^\W\d_]{2,}")
_QUOTED = re.compile(r"«\s*(.+?)\s*»")


def says_something(text: str) -> bool:
    """More than a proof or an acknowledgement."""
    for pattern in (EMAIL, order_numbers.current().in_text, POSTCODE):
        text = pattern.sub(" ", text)
    return len(_WORD.findall(text)) >= MIN_WORDS


def suggestion_query(shopper_texts: Iterable[str], request: str) -> str:
    """`shopper_texts`, oldest first (the case's messages, then the transcript's); `request`,
    the case summary's ("Suivi de commande — « mon colis n'arrive pas »")."""
    for text in reversed(list(shopper_texts)):
        if text and says_something(text):
            return text
    quoted = _QUOTED.search(request or "")
    return quoted.group(1) if quoted else (request or "")
