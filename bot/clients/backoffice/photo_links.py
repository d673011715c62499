"""Signed, expiring links to a shopper's photo, for the shop that receives a claim (issue 19).

The action server makes them (actions/claims.py) and the back office checks them
(bot/backoffice/routes/attachments.py, GET /photos/{id}?expires=…&sig=…): both hold the service
token they already share, so no new secret is needed and nothing is stored per link. A link
gives that one photo, until it expires, to whoever holds it: the shop's staff need no account.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta


def _key(service_token: str) -> bytes:
    # A key of its own, derived from the shared token: a link never reveals the token.
    return hashlib.sha256(b"comptoir-attachment-link:" + service_token.encode()).digest()


def signature(service_token: str, attachment_id: str, expires: int) -> str:
    message = f"{attachment_id}:{expires}".encode()
    return hmac.new(_key(service_token), message, hashlib.sha256).hexdigest()[:32]


def make(base_url: str, service_token: str, attachment_id: str, now: datetime, days: int) -> str:
    """The address the shop fetches the photo from, valid `days` days, without a login."""
    expires = int((now + timedelta(days=days)).timestamp())
    sig = signature(service_token, attachment_id, expires)
    return f"{base_url.rstrip('/')}/photos/{attachment_id}?expires={expires}&sig={sig}"


def valid(service_token: str, attachment_id: str, expires: int, sig: str, now: datetime) -> bool:
    if not service_token or expires < now.timestamp():
        return False
    return hmac.compare_digest(signature(service_token, attachment_id, expires), sig)
