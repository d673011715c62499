"""Control characters out of stored text.

PostgreSQL refuses NUL in text (a relayed "\\x00" used to be a 500) and no other C0 control
character belongs in a message, a summary, a reply or an FAQ answer: they are removed before
storage, keeping line feeds and tabs (a lone carriage return becomes a line feed). Identifiers
are different: removing characters from a conversation id could point it at another shopper's
conversation, so ids with control characters are refused instead (`has_controls`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, model_validator

from bot.core.text import without_controls

NO_CONTROLS = r"^[^\x00-\x1f]*$"  # pattern for identifiers


def clean_text(value: str) -> str:
    """`value` without control characters, line feeds and tabs kept (bot/core/text.py)."""
    return without_controls(value)


def has_controls(value: str) -> bool:
    return any(ord(c) < 0x20 for c in value)


def clean_data(value: Any, keep: frozenset[str] = frozenset()) -> Any:
    """Every string in a JSON-like value cleaned; keys listed in `keep` (top level) untouched."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key in keep else clean_data(item) for key, item in value.items()}
    return value


class Cleaned(BaseModel):
    """Mixin for request bodies: strings are cleaned before validation (so a text that was
    only control characters fails `min_length`); `KEEP` names identifier fields left as sent
    for their own validator to refuse."""

    KEEP: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return clean_data(data, cls.KEEP)
