"""What every action shares: the shop client, proof of ownership, the shop-down answer."""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, TypeVar

from rasa_sdk import Tracker

from bot.shop.client import ShopClient
from bot.shop.models import Order, Verification

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_VERIFICATION_FAILURES = 3
HUMAN_BUTTON = {"title": "Parler à un conseiller", "payload": "/human_handoff"}

_shop: ShopClient | None = None


def shop() -> ShopClient:
    """The configured shop client, built on first use (never at import time)."""
    global _shop
    if _shop is None:
        from bot.shop.http_client import HttpShopClient

        _shop = HttpShopClient.from_settings()
    return _shop


def use_shop(client: ShopClient | None) -> None:
    """Swap the shop client (tests, or a platform adapter chosen at start-up)."""
    global _shop
    _shop = client


async def call_shop(tracker: Tracker, what: str, call: Callable[..., T], *args: Any) -> T:
    """Run a blocking shop call off the event loop; log conversation, call and latency."""
    start = time.perf_counter()
    outcome = "error"
    try:
        result = await asyncio.to_thread(call, *args)
        outcome = "ok"
        return result
    finally:
        log.info("shop %s conversation=%s outcome=%s latency_ms=%.0f",
                 what, tracker.sender_id, outcome, (time.perf_counter() - start) * 1000)


def proof_of(contact: str) -> Verification:
    return Verification(email=contact) if "@" in contact else Verification(postcode=contact)


def verified_number(tracker: Tracker) -> str | None:
    """The order number, only when this conversation has proved it owns that order."""
    number = tracker.get_slot("order_number")
    return number if number and number == tracker.get_slot("verified_order") else None


def order_facts(order: Order) -> dict[str, Any]:
    """What the forms need to decide their next question, kept in a slot to spare shop calls."""
    return {
        "status": order.status.value,
        "cancellable": order.cancellable,
        "address_changeable": order.address_changeable,
        "returnable": [{"sku": i.sku, "name": i.name} for i in order.items if i.returnable],
        "blocked": [{"name": i.name, "reason": i.return_blocker or ""}
                    for i in order.items if not i.returnable],
        "expected_delivery": (order.tracking.expected_delivery.isoformat()
                              if order.tracking.expected_delivery else None),
        "first_name": order.first_name,
    }


def facts(tracker: Tracker) -> dict[str, Any]:
    return tracker.get_slot("order_facts") or {}
