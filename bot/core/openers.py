"""How a shopper opens a message: a greeting before the request ("bonjour, où est mon colis ?").

Pure standard-library functions, used in the Rasa server: the turn composer greets back before
answering the request. (Classifying the request without its greeting or closing formulas was
measured and lost accuracy: `python -m bot.tools.nlu.compare`, README.)
"""

from __future__ import annotations

import re
import unicodedata

from bot.core.replies import GOOD_EVENING, HELLO

_GREETING = re.compile(
    r"^\W*(?P<word>bonjour|bonjours|bjr|bjour|bonsoir|bsr|salut|slt|coucou|cc|hello|helo|"
    r"hey|hi|yo|re)(?=\W|$)",
    re.IGNORECASE,
)
_EVENING = {"bonsoir", "bsr"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def greeting(text: str) -> str | None:
    """The greeting to answer with ("Bonjour" or "Bonsoir") when the message opens with one;
    None otherwise. A button payload ("/...") never greets."""
    if not text or text.lstrip().startswith("/"):
        return None
    found = _GREETING.match(_fold(text))
    if not found:
        return None
    return GOOD_EVENING if found.group("word") in _EVENING else HELLO


def after_greeting(text: str) -> str:
    """What the message says after its opening greeting ("bonjour, mon colis ?" -> "mon
    colis ?"); empty when it does not open with one."""
    if not text or text.lstrip().startswith("/"):
        return ""
    found = _GREETING.match(text)  # the greetings have no accents: no folding needed
    return text[found.end() :].strip(" \t\n,.;:!-") if found else ""


def already_greets(reply: str) -> bool:
    return bool(_GREETING.match(_fold(reply)))
