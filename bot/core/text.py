"""Text as it may be stored: no control characters (standard library only).

PostgreSQL refuses NUL in text, and no other C0 control character (nor DEL) belongs in a
shopper's message, an agent's reply or an FAQ answer: they only hide text or break storage.
Line feeds and tabs are kept; a carriage return becomes a line feed.
"""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # C0 but \t (09) and \n (0a), and DEL


def without_controls(value: str) -> str:
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
