"""The link in an e-mail that reopens the conversation in the widget.

The link carries a token, `<outbox id>.<expiry>.<signature>`, in the page address's fragment
(`#reprise=…`: a fragment is never sent to the page's server, so it stays out of its logs and
of Referer headers). The token names an outbox row, never the conversation: the back office
looks the row up (routes/mail.py) and gives the widget the conversation's signed id only while
the token is unexpired, untampered and the row still exists — an erasure of the conversation
or its case deletes the row, and the link stops working with it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timezone

from bot.settings import Settings

FRAGMENT = "reprise"
TOKEN = re.compile(r"^(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")


def _signature(secret: str, row_id: int, expires: int) -> str:
    digest = hmac.new(
        secret.encode(), f"mail-link:{row_id}.{expires}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def make_token(secret: str, row_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{row_id}.{expires}.{_signature(secret, row_id, expires)}"


def read_token(secret: str, token: str, now: datetime) -> int | None:
    """The outbox row a token names, or None if it is malformed, tampered with or expired."""
    found = TOKEN.fullmatch(token or "")
    if not found:
        return None
    row_id, expires, signature = int(found[1]), int(found[2]), found[3]
    if not hmac.compare_digest(signature, _signature(secret, row_id, expires)):
        return None
    if datetime.fromtimestamp(expires, timezone.utc) <= now:
        return None
    return row_id


def page_url(settings: Settings) -> str:
    """The page whose widget reopens the conversation (the demo page unless set)."""
    return settings.widget_page_url or f"http://127.0.0.1:{settings.web_port}/"


def link(settings: Settings, row_id: int, expires_at: datetime) -> str:
    token = make_token(settings.secret("mail_link_secret"), row_id, expires_at)
    return f"{page_url(settings).split('#', 1)[0]}#{FRAGMENT}={token}"
