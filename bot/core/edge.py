"""What every chat channel checks before a message reaches the assistant (standard library only).

A conversation belongs to whoever the channel says it belongs to: Telegram and Messenger ids
come from signed webhooks, the web widget's ids are issued and signed here, and the REST channel
(loopback only) may not borrow any of them. Every message is cleaned and bounded on the way in,
so that one message cannot fill the tracker store or slow every later turn.
Used by the Rasa server's channels (Python 3.10) and by the tests (Python 3.11).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from typing import Any, Callable, Mapping

from bot.core.channels import MESSENGER_PREFIX, TELEGRAM_PREFIX
from bot.core.shared_secrets import read_secret
from bot.core.text import without_controls

WEB_PREFIX = "web-"
CHANNEL_PREFIXES = (TELEGRAM_PREFIX, MESSENGER_PREFIX, WEB_PREFIX)
MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
_SENDER = re.compile(r"^[A-Za-z0-9_.:@+-]+$")


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")  # French thousands separator


def too_long_reply(length: int) -> str:
    return (
        f"Votre message fait {_number(length)} caractères : je ne peux en lire que "
        f"{_number(MAX_MESSAGE_CHARS)} à la fois. Pouvez-vous le raccourcir, ou "
        "l'envoyer en plusieurs messages ?"
    )


def clean_text(text: Any) -> str:
    """A message as it may be stored: text only, without control characters."""
    return without_controls(text) if isinstance(text, str) else ""


def too_long(text: str) -> bool:
    return len(text) > MAX_MESSAGE_CHARS


class WebConversationIds:
    """Conversation ids for the web widget: issued by the server, signed with its secret, so
    that a browser can keep its own conversation across reloads but never choose another's."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the widget's conversation ids need a secret")
        self._key = secret.encode("utf-8")

    def _signature(self, token: str) -> str:
        digest = hmac.new(self._key, f"{WEB_PREFIX}{token}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")

    def issue(self) -> str:
        token = secrets.token_hex(16)
        return f"{WEB_PREFIX}{token}.{self._signature(token)}"

    def valid(self, conversation: Any) -> bool:
        if not isinstance(conversation, str) or not conversation.startswith(WEB_PREFIX):
            return False
        token, _, signature = conversation[len(WEB_PREFIX) :].partition(".")
        if not re.fullmatch(r"[0-9a-f]{32}", token) or not signature:
            return False
        return hmac.compare_digest(signature, self._signature(token))

    def resume(self, kept: Any, erased: Callable[[str], bool]) -> tuple[str, bool]:
        """The conversation of a browser that sends back the id it `kept`: that one if this
        server signed it and it was not erased since, else a new one; and whether the browser
        must forget the history it kept (its conversation was erased at the shopper's request)."""
        if not self.valid(kept):
            return self.issue(), False
        if erased(kept):
            return self.issue(), True
        return kept, False

    @classmethod
    def from_environment(cls) -> WebConversationIds:
        return cls(read_secret("conversation_secret"))


def rest_sender_problem(sender: Any) -> str | None:
    """Why a REST `sender` is refused, or None. The REST channel serves tools and a shop's own
    server; it may not speak in a Telegram, Messenger or widget conversation."""
    if not isinstance(sender, str) or not sender:
        return "`sender` must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS:
        return f"`sender` has more than {MAX_SENDER_CHARS} characters"
    if not _SENDER.match(sender):
        return "`sender` may only hold letters, digits and _ . : @ + -"
    if sender.startswith(CHANNEL_PREFIXES):
        return (
            f"`sender` may not start with {', '.join(CHANNEL_PREFIXES)}: those "
            "conversations belong to their channel"
        )
    return None


def is_loopback(address: str | None) -> bool:
    try:
        return bool(address) and ipaddress.ip_address(str(address)).is_loopback
    except ValueError:
        return False


def client_address(peer: str | None, headers: Mapping[str, str]) -> str | None:
    """The shopper's IP address: the peer's, or, when the peer is a reverse proxy on this
    machine, the last address that proxy appended to X-Forwarded-For."""
    if is_loopback(peer):
        forwarded = [
            part.strip()
            for part in (headers.get("x-forwarded-for") or "").split(",")
            if part.strip()
        ]
        if forwarded:
            return forwarded[-1]
    return peer
