"""How long a proof of ownership lasts, read from the conversation's own events.

A verified order is tied to the conversation that proved it, and only while the shopper keeps
talking: after `idle_s` without a message, whoever holds the conversation id (a shared
computer, a copied link) must prove it again. Pure, so it is tested without Rasa.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

VERIFIED_SLOT = "verified_order"


def verified_at(events: Iterable[Mapping[str, Any]], number: str) -> float | None:
    """When this conversation last proved it owns `number`. None when there is no such event,
    or when it has no time yet: the proof was given during the action now running (its slot
    is set in the action's copy of the tracker, without a timestamp)."""
    when = None
    for event in events:
        if (
            event.get("event") == "slot"
            and event.get("name") == VERIFIED_SLOT
            and event.get("value") == number
        ):
            stamp = event.get("timestamp")
            when = float(stamp) if stamp is not None else None
    return when


def proof_expired(events: Iterable[Mapping[str, Any]], number: str, idle_s: float) -> bool:
    """True when the shopper was silent for more than `idle_s` at some point since proving
    `number` (the slot holding it is checked by the caller)."""
    events = list(events)
    last = verified_at(events, number)
    if last is None:
        return False
    for event in events:
        at = float(event.get("timestamp") or 0)
        if event.get("event") == "user" and at > last:
            if at - last > idle_s:
                return True
            last = at
    return False
