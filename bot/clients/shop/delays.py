"""How a shop tells Comptoir that an order is late, whatever its platform: a signed webhook
(the demo shop, WooCommerce, Shopify) or polling (PrestaShop has no webhooks).

The back office (bot/backoffice/notices) receives the webhook or runs the poll, keeps the
resulting notices in its queue and writes first to the shoppers who asked about the order.
A shop client that can report delays implements one of the two protocols below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable


class BadSignature(Exception):
    """The webhook's signature does not match its body: it did not come from the shop."""


@dataclass(frozen=True)
class DelayEvent:
    """An order became late. `event_id` names this delay (the platform's event or a digest of
    the new date), so that the same delay delivered twice makes one notice."""

    order_number: str  # as the shopper knows it and as `ShopClient.verify_order` returns it
    expected_delivery: date | None  # the new date, when the shop gives one
    event_id: str


@runtime_checkable
class WebhookDelays(Protocol):
    def delay_from_webhook(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> DelayEvent | None:
        """The delay a webhook delivery announces, None when it announces none (most order
        updates). Raises BadSignature when the signature is missing or wrong; may call the
        shop's API (e.g. to turn an internal order id into the order's number)."""
        ...


@runtime_checkable
class PolledDelays(Protocol):
    def delays(self, numbers: Sequence[str]) -> list[DelayEvent]:
        """The orders among `numbers` (followed by shoppers) that are late now. No proof of
        ownership: only the back office calls this, never a shopper's conversation."""
        ...
