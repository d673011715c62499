"""What every action shares: shop calls, proof of ownership, the verified order's facts.
(The clients themselves: actions/services.py.)"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.clients.shop.models import Order, Verification
from bot.core import replies
from bot.core.edge import is_loopback
from bot.dialogue.ownership import VERIFIED_SLOT, proof_expired
from bot.dialogue.proof_throttle import Client
from bot.dialogue.verified_order import FACTS_SLOT, VerifiedOrder
from bot.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_VERIFICATION_FAILURES = 3
HUMAN_BUTTON = replies.HUMAN  # offered wherever the bot cannot go further itself


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
    if not number or number != tracker.get_slot(VERIFIED_SLOT):
        return None
    if proof_expired(tracker.events, number, get_settings().verified_order_idle_minutes * 60):
        return None
    return number


def proof_lapsed(tracker: Tracker) -> bool:
    """A proof was given in this conversation but no longer counts."""
    number = tracker.get_slot(VERIFIED_SLOT)
    return (
        bool(number)
        and number == tracker.get_slot("order_number")
        and verified_number(tracker) is None
    )


def remember(order: Order) -> SlotSet:
    """Keep what the shop said about the verified order, so that the forms decide their next
    question without calling it again (bot/dialogue/verified_order.py)."""
    return SlotSet(FACTS_SLOT, VerifiedOrder.from_order(order).to_slot())


def facts(tracker: Tracker) -> VerifiedOrder:
    """What the shop said about the verified order; an empty one (no status, nothing allowed)
    when the conversation has none."""
    return VerifiedOrder.from_slot(tracker.get_slot(FACTS_SLOT)) or VerifiedOrder()
