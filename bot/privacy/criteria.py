"""Who the operator is looking for: e-mails, order numbers, conversation ids (a Telegram chat id
or a Messenger PSID becomes its conversation id), and how a text is said to mention them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.core.channels import MESSENGER_PREFIX, TELEGRAM_PREFIX, conversation_id

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ORDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{3,49}$")
CONVERSATION = re.compile(r"^\S{1,255}$")
# A term is mentioned when it stands on its own: "a@b.fr" is not in "la@b.fr", "CM4833" is not
# in "CM483391"; a full stop after it (end of a sentence) is fine.
_BEFORE = r"(?<![A-Za-z0-9._%+\-])"
_AFTER = r"(?![A-Za-z0-9_\-@]|\.[A-Za-z0-9])"


class BadCriteria(ValueError):
    """A search term that cannot identify a shopper (malformed, or too short)."""


@dataclass(frozen=True)
class Criteria:
    emails: tuple[str, ...] = ()
    orders: tuple[str, ...] = ()
    conversations: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        emails: Iterable[str] = (),
        orders: Iterable[str] = (),
        conversations: Iterable[str] = (),
        telegram: Iterable[str] = (),
        messenger: Iterable[str] = (),
    ) -> Criteria:
        """Normalised, validated criteria (BadCriteria names the first wrong value's kind)."""
        mails = _clean(emails, str.lower, EMAIL, "adresse e-mail invalide")
        numbers = _clean(orders, str.upper, ORDER, "numéro de commande invalide")
        ids = list(_clean(conversations, str, CONVERSATION, "identifiant de conversation invalide"))
        for prefix, values, label in (
            (TELEGRAM_PREFIX, telegram, "identifiant Telegram invalide"),
            (MESSENGER_PREFIX, messenger, "identifiant Messenger invalide"),
        ):
            for value in _clean(values, str, re.compile(r"^-?[0-9A-Za-z_]{1,64}$"), label):
                ids.append(conversation_id(prefix, value))
        return cls(mails, numbers, tuple(dict.fromkeys(ids)))

    def __bool__(self) -> bool:
        return bool(self.emails or self.orders or self.conversations)

    @property
    def terms(self) -> tuple[str, ...]:
        """What must be looked for inside texts (the conversation ids are matched as ids)."""
        return self.emails + self.orders

    @property
    def kinds(self) -> str:
        """What kinds of criteria were given, for the audit log ("email,order"): no values."""
        kinds = []
        if self.emails:
            kinds.append("email")
        if self.orders:
            kinds.append("order")
        if any(c.startswith(TELEGRAM_PREFIX) for c in self.conversations):
            kinds.append("telegram")
        if any(c.startswith(MESSENGER_PREFIX) for c in self.conversations):
            kinds.append("messenger")
        if any(not c.startswith((TELEGRAM_PREFIX, MESSENGER_PREFIX)) for c in self.conversations):
            kinds.append("conversation")
        return ",".join(kinds)

    def matcher(self) -> Matcher:
        return Matcher(self.terms)


def _clean(
    values: Iterable[str], case: Any, pattern: re.Pattern[str], error: str
) -> tuple[str, ...]:
    cleaned = []
    for value in values:
        value = case(str(value).strip())
        if not value:
            continue
        if not pattern.match(value) or len(value) > 254:
            raise BadCriteria(error)
        cleaned.append(value)
    return tuple(dict.fromkeys(cleaned))


class Matcher:
    """Does a text, or any string inside a decoded JSON value, mention one of the terms?"""

    def __init__(self, terms: Iterable[str]) -> None:
        terms = [t for t in terms if t]
        self.terms = tuple(terms)
        self._pattern = (
            re.compile("|".join(f"{_BEFORE}{re.escape(t)}{_AFTER}" for t in terms), re.IGNORECASE)
            if terms
            else None
        )

    def text(self, value: str) -> bool:
        return bool(self._pattern and self._pattern.search(value))

    def value(self, value: Any) -> bool:
        return any(self.text(s) for s in strings(value))


def strings(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value (keys included: slots are stored by name)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)
    elif value is not None and not isinstance(value, bool):
        yield str(value)
