"""The order a conversation has proved it owns, as the actions and the back office read it.

The actions keep what they learnt from the shop in the slot `order_facts` (the order's status
and what the shop allows on it), to decide a form's next question without calling the shop
again; the back office shows the same slot to the agent. Rasa stores slots as JSON, so the
slot holds a plain dict (`to_slot`); everyone reads it back through `from_slot`, which
tolerates what older trackers stored (a missing key takes its default, an unknown status is
None) rather than break a conversation in progress.

Whether the conversation still owns the order is not decided here: the slot `verified_order`
holds the proved number and bot/dialogue/ownership.py says how long the proof lasts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.clients.shop.models import Order, OrderStatus

FACTS_SLOT = "order_facts"


@dataclass(frozen=True)
class ReturnableItem:
    sku: str
    name: str


@dataclass(frozen=True)
class BlockedItem:
    """An item that cannot be returned, and why (the shop's French words; may be empty)."""

    name: str
    reason: str = ""


@dataclass(frozen=True)
class VerifiedOrder:
    """What the shop said about the verified order when it was last asked.

    `status` is None only when the slot came from an older tracker without one, or with a
    status this version does not know: no status group contains None, so nothing is offered
    on the strength of it. Missing permissions default to "not allowed".
    """

    number: str | None = None
    status: OrderStatus | None = None
    cancellable: bool = False
    address_changeable: bool = False
    returnable: tuple[ReturnableItem, ...] = ()
    blocked: tuple[BlockedItem, ...] = ()
    expected_delivery: date | None = None
    first_name: str = ""

    @classmethod
    def from_order(cls, order: Order) -> VerifiedOrder:
        return cls(
            number=order.number,
            status=order.status,
            cancellable=order.cancellable,
            address_changeable=order.address_changeable,
            returnable=tuple(
                ReturnableItem(item.sku, item.name) for item in order.items if item.returnable
            ),
            blocked=tuple(
                BlockedItem(item.name, item.return_blocker or "")
                for item in order.items
                if not item.returnable
            ),
            expected_delivery=order.tracking.expected_delivery,
            first_name=order.first_name,
        )

    @classmethod
    def from_slot(cls, value: Any) -> VerifiedOrder | None:
        """The slot's value read back; None when it holds nothing (unset, emptied, not a
        dict). Never raises: a key of the wrong shape is read as missing."""
        if not isinstance(value, Mapping) or not value:
            return None
        return cls(
            number=_text(value.get("number")) or None,
            status=_status(value.get("status")),
            cancellable=value.get("cancellable") is True,
            address_changeable=value.get("address_changeable") is True,
            returnable=tuple(
                ReturnableItem(_text(item.get("sku")), _text(item.get("name")))
                for item in _mappings(value.get("returnable"))
                if item.get("sku")
            ),
            blocked=tuple(
                BlockedItem(_text(item.get("name")), _text(item.get("reason")))
                for item in _mappings(value.get("blocked"))
                if item.get("name")
            ),
            expected_delivery=_date(value.get("expected_delivery")),
            first_name=_text(value.get("first_name")),
        )

    def to_slot(self) -> dict[str, Any]:
        """The slot's value: JSON types only (Rasa stores it as JSON)."""
        return {
            "number": self.number,
            "status": self.status.value if self.status else None,
            "cancellable": self.cancellable,
            "address_changeable": self.address_changeable,
            "returnable": [{"sku": item.sku, "name": item.name} for item in self.returnable],
            "blocked": [{"name": item.name, "reason": item.reason} for item in self.blocked],
            "expected_delivery": (
                self.expected_delivery.isoformat() if self.expected_delivery else None
            ),
            "first_name": self.first_name,
        }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _status(value: Any) -> OrderStatus | None:
    try:
        return OrderStatus(value)
    except (ValueError, TypeError):
        return None


def _mappings(value: Any) -> list[Mapping[str, Any]]:
    if not isinstance(value, (list, tuple)):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
