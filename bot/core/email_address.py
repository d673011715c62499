"""E-mail addresses a shopper types: found in their message, checked, and shown masked.

Pure functions: the action server validates with them, the back office masks with them.
"""

from __future__ import annotations

import re

MAX_LENGTH = 254  # RFC 5321's path limit, less the angle brackets
MAX_LOCAL = 64
# A sane subset of RFC 5322: dot-atoms on both sides, a domain with a letter TLD. Quoted local
# parts, IP literals and comments are refused: nobody types them in a chat.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
# Where an address may stand in a sentence ("c'est jean.dupont@exemple.fr, merci").
_CANDIDATE = re.compile(r"[^\s<>()\[\],;:\"«»]+@[^\s<>()\[\],;:\"«»]+")


def valid_address(text: str) -> str | None:
    """The one address in `text` (alone or in a short sentence), normalised (domain in lower
    case), or None when there is none, more than one, or it is not a sane address."""
    if not isinstance(text, str) or len(text) > 500:
        return None
    candidates = [c.rstrip(".!?") for c in _CANDIDATE.findall(text)]
    if len(candidates) != 1:
        return None
    candidate = candidates[0]
    if len(candidate) > MAX_LENGTH or not ADDRESS.fullmatch(candidate):
        return None
    local, _, domain = candidate.rpartition("@")
    if len(local) > MAX_LOCAL:
        return None
    return f"{local}@{domain.lower()}"


def mask(address: str) -> str:
    """What an agent sees of the address: "j…@exemple.fr" (enough to recognise it, not to
    copy it elsewhere)."""
    local, at, domain = (address or "").rpartition("@")
    if not at or not local:
        return "…"
    return f"{local[0]}…@{domain}"
