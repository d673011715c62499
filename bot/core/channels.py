"""What the Telegram and Messenger connectors share, in pure functions (standard library only).

Kept free of Rasa, python-telegram-bot and fbmessenger so that it runs, and is unit-tested, in
both virtualenvs (the Rasa server's Python 3.10 and the tests' Python 3.11).

Text travels as it is: the actions send plain text (shopper words included, unescaped), and
neither channel renders markup (Telegram is sent without parse_mode, Messenger shows
characters), so nothing here escapes or unescapes. A channel that rendered markup would escape
at its own edge.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import OrderedDict
from typing import Any, Dict, Iterator, List, Tuple

# Conversation ids are prefixed with the channel, so that a Telegram chat, a Messenger user and a
# web visitor never share a tracker, and an agent sees where a conversation comes from.
TELEGRAM_PREFIX = "telegram-"
MESSENGER_PREFIX = "messenger-"

# Telegram's rule for the secret token of setWebhook: 1 to 256 characters A-Z a-z 0-9 _ -
TELEGRAM_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
TELEGRAM_TEXT_LIMIT = 4096  # characters per message
TELEGRAM_CALLBACK_LIMIT = 64  # bytes of callback_data
MESSENGER_TEXT_LIMIT = 2000  # characters per message
# A message the shop sends first (a delay notice, actions/notices.py) carries TAG_KEY: Meta
# requires a message tag on what is not a reply, and POST_PURCHASE_UPDATE is the one for "an
# update on a recent purchase" (Messenger Platform policy, message tags).
TAG_KEY = "messenger_tag"
NOTICE_TAG = "POST_PURCHASE_UPDATE"
MESSENGER_QUICK_REPLY_TITLE = 20  # characters
MESSENGER_QUICK_REPLIES = 13  # per message
# A button whose payload does not fit Telegram's callback_data carries this prefix plus its
# position; the connector reads the button's own title back from the message it was attached to.
BY_TITLE = "~button:"
# Commands a Telegram user may type; /start is what the app sends when a chat is opened.
TELEGRAM_COMMANDS = {"start": "/greet", "aide": "/greet", "help": "/greet"}


def conversation_id(prefix: str, native_id: Any) -> str:
    return f"{prefix}{native_id}"


def native_id(prefix: str, conversation: str) -> str:
    """The channel's own id (Telegram chat id, Messenger PSID) of a conversation id."""
    return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation


def same_secret(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a shared secret; a missing value never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def hub_signature(app_secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends with a webhook body."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def valid_hub_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True only for `sha256=<hex HMAC-SHA256 of the raw body with the app secret>`."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(hub_signature(app_secret, body), header.strip())


def chunks(text: str, limit: int) -> List[str]:
    """Split a long text into pieces of at most `limit` characters, at paragraph, line or word
    boundaries when there is one in the second half of the piece."""
    text = text.strip()
    pieces: List[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut >= limit // 2:
                break
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text or not pieces:
        pieces.append(text)
    return pieces


def telegram_command(text: str) -> str | None:
    """`/start`, `/start abc`, `/start@ComptoirBot` -> the payload Rasa receives; None when the
    text is not a command. An unknown command is passed on as words (without its slash), so
    that the shopper gets an answer instead of an unknown intent."""
    if not text.startswith("/") or text.startswith("//"):
        return None
    head, _, rest = text[1:].partition(" ")
    command = head.split("@", 1)[0].lower()
    if command in TELEGRAM_COMMANDS:
        return TELEGRAM_COMMANDS[command]
    if re.fullmatch(r"[a-z0-9_]{1,32}", command):
        return " ".join(part for part in (command.replace("_", " "), rest.strip()) if part)
    return None


def callback_data(payload: str, position: int) -> str:
    """Telegram's callback_data holds 64 bytes: the payload itself when it fits, otherwise a
    marker that makes the connector use the button's title (see `BY_TITLE`)."""
    if payload and len(payload.encode("utf-8")) <= TELEGRAM_CALLBACK_LIMIT:
        return payload
    return f"{BY_TITLE}{position}"


def title_position(data: str) -> int | None:
    if data.startswith(BY_TITLE) and data[len(BY_TITLE) :].isdigit():
        return int(data[len(BY_TITLE) :])
    return None


def short_title(title: str, limit: int = MESSENGER_QUICK_REPLY_TITLE) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def messenger_options(text: str, buttons: List[Dict[str, Any]]) -> Tuple[str, List[Dict[str, str]]]:
    """Buttons as Messenger quick replies (13 at most, titles of 20 characters at most). When a
    title had to be shortened, the full titles are listed in the text, numbered, and each quick
    reply starts with its number, so that the shopper still knows what they choose."""
    usable = [b for b in buttons if b.get("payload") or b.get("title")][:MESSENGER_QUICK_REPLIES]
    long_titles = any(
        len(" ".join(str(b.get("title", "")).split())) > MESSENGER_QUICK_REPLY_TITLE for b in usable
    )
    replies = []
    lines = [text.rstrip()] if text else []
    for number, button in enumerate(usable, start=1):
        title = str(button.get("title") or button.get("payload"))
        payload = str(button.get("payload") or title)
        if long_titles:
            lines.append(f"{number}. {title}")
            title = f"{number}. {title}"
        replies.append({"content_type": "text", "title": short_title(title), "payload": payload})
    return "\n".join(lines), replies


class SeenIds:
    """The last ids seen (Telegram update_id, Messenger message id), to drop the retries a
    platform sends when it did not get our answer in time. Bounded; per process."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, key: Any) -> bool:
        key = str(key)
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


def messaging_events(payload: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """Every messaging event of a Messenger webhook body (a body may batch several entries)."""
    for entry in payload.get("entry") or []:
        if isinstance(entry, dict):
            for event in entry.get("messaging") or []:
                if isinstance(event, dict):
                    yield event


def messenger_text(event: Dict[str, Any]) -> str | None:
    """What the shopper said in a Messenger event: a quick reply's payload, a postback's payload
    or the typed text. "" for a message with attachments only; None for anything to ignore
    (echoes of the page's own messages, deliveries, reads, reactions)."""
    message = event.get("message")
    if isinstance(message, dict):
        if message.get("is_echo"):
            return None
        quick_reply = message.get("quick_reply") or {}
        if quick_reply.get("payload"):
            return str(quick_reply["payload"])
        if isinstance(message.get("text"), str):
            return message["text"]
        return ""
    postback = event.get("postback")
    if isinstance(postback, dict) and (postback.get("payload") or postback.get("title")):
        return str(postback.get("payload") or postback.get("title"))
    return None
