"""How a shopper closes a message: "merci d'avance", "bonne journée", "cordialement, Marie".

Pure standard-library functions, used in the Rasa server: a request signed off politely is
still a request (bot/nlu/framing.py), and "ok merci, j'attends" with nothing to wait for is
thanked (bot/rasa/policies/turns.py).
"""

from __future__ import annotations

import re

from bot.core.normalise import fold

_LEAVE_WORDS = (
    r"au revoir|a bientot|a plus|bonne (?:journee|soiree|fin de journee|nuit|continuation|"
    r"semaine|fin de semaine|week.?end)|belle journee|cordialement|cdlt|cdt|bien a vous|bye|ciao"
)
_THANKS_WORDS = r"merci\w*|remerci\w*|mrc|thx"
_LEAVE = re.compile(rf"\b(?:{_LEAVE_WORDS})\b")
_THANKS = re.compile(rf"\b(?:{_THANKS_WORDS})\b")
# A closing sentence: thanks, wishes, sign-off formulas.
_CLOSING = re.compile(
    rf"\b(?:{_LEAVE_WORDS}|{_THANKS_WORDS}|salutations|respectueusement|sinceres?|"
    r"veuillez agreer|dans l'attente)\b"
)
# Where a sentence ends.
_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s*")
SIGNATURE_WORDS = 3  # "Marie", "M. Vidal", "Jean-Pierre Martin": a signature, not a sentence


def _fold(text: str) -> str:
    return fold(text.replace("\u2019", "'"))


def _is_closing(sentence: str) -> bool:
    stripped = sentence.strip(" \t\n,.;:!-")
    words = [w for w in stripped.split() if any(c.isalpha() for c in w)]
    signature = len(words) <= SIGNATURE_WORDS and "?" not in sentence
    return not words or signature or bool(_CLOSING.search(_fold(stripped)))


def before_closing(text: str) -> str:
    """The message without the closing sentences at its end ("Vous avez la robe en 38 ?
    Merci d'avance, bonne journée. Marie" -> "Vous avez la robe en 38 ?"); the whole message
    when it has no closing, or when it is all closing."""
    sentences = [s for s in _SENTENCE_END.split(text or "") if s.strip()]
    kept = list(sentences)
    while kept and _is_closing(kept[-1]):
        kept.pop()
    if not kept or len(kept) == len(sentences):
        return (text or "").strip()
    return " ".join(s.strip() for s in kept)


def courtesy(text: str) -> str | None:
    """ "goodbye" when the message takes leave, "thank" when it thanks, None otherwise."""
    folded = _fold(text or "")
    if _LEAVE.search(folded):
        return "goodbye"
    return "thank" if _THANKS.search(folded) else None
