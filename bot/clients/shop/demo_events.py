"""The demo shop's "order late" event, as it sends it and as Comptoir reads it: one JSON body
signed like the platforms sign theirs (HMAC-SHA256 of the raw body with a shared secret), so
that the back office treats the demo shop as it treats WooCommerce or Shopify.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import date

from pydantic import BaseModel, ValidationError

from bot.clients.shop.delays import BadSignature, DelayEvent

SIGNATURE_HEADER = "X-Comptoir-Signature"
DELAYED = "order.delayed"


class OrderEvent(BaseModel):
    event: str
    id: str  # the same delay sent twice keeps its id: one notice
    order_number: str
    expected_delivery: date | None = None


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def read(body: bytes, headers: Mapping[str, str], secret: str) -> DelayEvent | None:
    """The delay a signed demo-shop event announces (None for any other event)."""
    given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
    if not secret or not hmac.compare_digest(given.encode(), sign(body, secret).encode()):
        raise BadSignature("wrong or missing " + SIGNATURE_HEADER)
    try:
        event = OrderEvent.model_validate_json(body)
    except ValidationError:
        return None
    if event.event != DELAYED:
        return None
    return DelayEvent(event.order_number, event.expected_delivery, event.id)
