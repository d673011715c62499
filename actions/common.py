"""What every action shares: the shop client, proof of ownership, the shop-down answer."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, TypeVar

from rasa_sdk import Tracker

from bot.clients.shop.contract import ShopClient
from bot.clients.shop.models import Order, Verification
from bot.core.edge import is_loopback
from bot.dialogue.ownership import proof_expired
from bot.dialogue.proof_throttle import Client, ProofThrottle, proof_throttle
from bot.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_VERIFICATION_FAILURES = 3
HUMAN_BUTTON = {"title": "Parler à un conseiller", "payload": "/human_handoff"}

_shop: ShopClient | None = None
_throttle: ProofThrottle | None = None


def shop() -> ShopClient:
    """The configured shop client, built on first use (never at import time)."""
    global _shop
    if _shop is None:
        from bot.clients.shop.http import HttpShopClient

        _shop = HttpShopClient.from_settings()
    return _shop


def use_shop(client: ShopClient | None) -> None:
    """Swap the shop client (tests, or a platform adapter chosen at start-up)."""
    global _shop
    _shop = client


def throttle() -> ProofThrottle:
    """The wrong-proof counter (bot/dialogue/proof_throttle.py), built on first use."""
    return _throttle or proof_throttle()


def use_throttle(counter: ProofThrottle | None) -> None:
    """Swap the wrong-proof counter (tests)."""
    global _throttle
    _throttle = counter


def proof_clients(tracker: Tracker) -> list[Client]:
    """Who is guessing, as far as we can tell: the conversation (a Telegram chat or Messenger
    user is one), and the shopper's IP address when the channel gave one (the widget; a shop's
    server calling REST may pass it as `metadata.client_ip`). Loopback is this machine, not a
    shopper."""
    clients = [Client("conversation", tracker.sender_id)]
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            address = (event.get("metadata") or {}).get("client_ip")
            if isinstance(address, str) and address and not is_loopback(address):
                clients.append(Client("ip", address))
            break
    return clients


async def call_shop(tracker: Tracker, what: str, call: Callable[..., T], *args: Any) -> T:
    """Run a blocking shop call off the event loop; log conversation, call and latency."""
    start = time.perf_counter()
    outcome = "error"
    try:
        result = await asyncio.to_thread(call, *args)
        outcome = "ok"
        return result
    finally:
        log.info(
            "shop %s conversation=%s outcome=%s latency_ms=%.0f",
            what,
            tracker.sender_id,
            outcome,
            (time.perf_counter() - start) * 1000,
        )


def proof_of(contact: str) -> Verification:
    return Verification(email=contact) if "@" in contact else Verification(postcode=contact)


def verified_number(tracker: Tracker) -> str | None:
    """The order number, only when this conversation has proved it owns that order and the
    shopper has not been away longer than the proof lasts (bot/dialogue/ownership.py)."""
    number = tracker.get_slot("order_number")
    if not number or number != tracker.get_slot("verified_order"):
        return None
    if proof_expired(tracker.events, number, get_settings().verified_order_idle_minutes * 60):
        return None
    return number


def proof_lapsed(tracker: Tracker) -> bool:
    """A proof was given in this conversation but no longer counts."""
    number = tracker.get_slot("verified_order")
    return (
        bool(number)
        and number == tracker.get_slot("order_number")
        and verified_number(tracker) is None
    )


def order_facts(order: Order) -> dict[str, Any]:
    """What the forms need to decide their next question, kept in a slot to spare shop calls."""
    return {
        "status": order.status.value,
        "cancellable": order.cancellable,
        "address_changeable": order.address_changeable,
        "returnable": [{"sku": i.sku, "name": i.name} for i in order.items if i.returnable],
        "blocked": [
            {"name": i.name, "reason": i.return_blocker or ""}
            for i in order.items
            if not i.returnable
        ],
        "expected_delivery": (
            order.tracking.expected_delivery.isoformat()
            if order.tracking.expected_delivery
            else None
        ),
        "first_name": order.first_name,
    }


def facts(tracker: Tracker) -> dict[str, Any]:
    return tracker.get_slot("order_facts") or {}
