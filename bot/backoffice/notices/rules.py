"""Whether a channel lets Comptoir write first to this shopper now: pure functions of the Rasa
tracker and the time, so that each platform's rule is tested on its own.

- Messenger ("facebook"): only within Meta's standard messaging window, 24 h after the
  shopper's last message (the notice is tagged on the Rasa side; here we only decide).
- Telegram: only once the shopper has written to the bot (a bot cannot start a chat).
- The website widget ("socketio", "rest"): only while the conversation is open, i.e. the
  shopper wrote within `widget_open_minutes` (Rasa's session expiry by default); after that
  nobody is looking at the widget any more.

Only what the shopper said counts: the events trigger_intent makes (our own notices, agents'
replies) are user events too, and counting them would let the bot keep a window open itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.handoff import is_external

MESSENGER_WINDOW = timedelta(hours=24)  # Meta's rule, not a setting
WIDGET_CHANNELS = frozenset({"socketio", "rest"})
KNOWN_CHANNELS = WIDGET_CHANNELS | {"facebook", "telegram"}

# Reasons for not sending (stored on the notice).
STOPPED = "stopped"
WINDOW_CLOSED = "window_closed"
CONVERSATION_CLOSED = "conversation_closed"
UNKNOWN_CHANNEL = "unknown_channel"
ERASED = "erased"


@dataclass(frozen=True)
class Decision:
    send: bool
    reason: str | None = None  # why not, when not


SEND = Decision(True)


def shopper_messages(tracker: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The user events that are messages from the shopper (not trigger_intent's)."""
    return [
        event
        for event in tracker.get("events") or []
        if isinstance(event, Mapping)
        and event.get("event") == "user"
        and not is_external(str(event.get("text") or ""))
    ]


def last_shopper_message_at(tracker: Mapping[str, Any]) -> float | None:
    """Epoch seconds of the shopper's last message, None when they never wrote."""
    stamps = [
        float(e["timestamp"])
        for e in shopper_messages(tracker)
        if isinstance(e.get("timestamp"), (int, float))
    ]
    return max(stamps) if stamps else None


def channel_of(tracker: Mapping[str, Any], fallback: str = "") -> str:
    """The channel the shopper last wrote on: Rasa's `latest_input_channel`, else the input
    channel of their last message, else what the action server told us."""
    latest = tracker.get("latest_input_channel")
    if latest:
        return str(latest)
    for event in reversed(shopper_messages(tracker)):
        if event.get("input_channel"):
            return str(event["input_channel"])
    return fallback


def decide(
    channel: str, tracker: Mapping[str, Any], now: datetime, widget_open_minutes: int
) -> Decision:
    """May a notice go to this conversation on this channel at `now`?"""
    if channel not in KNOWN_CHANNELS:
        return Decision(False, UNKNOWN_CHANNEL)
    last = last_shopper_message_at(tracker)
    if channel == "telegram":
        return SEND if last is not None else Decision(False, CONVERSATION_CLOSED)
    if last is None:
        closed = WINDOW_CLOSED if channel == "facebook" else CONVERSATION_CLOSED
        return Decision(False, closed)
    age = now.timestamp() - last
    if channel == "facebook":
        return SEND if age < MESSENGER_WINDOW.total_seconds() else Decision(False, WINDOW_CLOSED)
    open_for = widget_open_minutes * 60
    return SEND if age <= open_for else Decision(False, CONVERSATION_CLOSED)


def already_notified(
    tracker: Mapping[str, Any], intent: str, entities: Mapping[str, str], since: float
) -> bool:
    """True when the tracker holds this notice's trigger_intent (same intent and entities)
    after `since`: an earlier try reached Rasa though its answer got lost (timeout, crash), so
    it must not go out twice."""
    for event in tracker.get("events") or []:
        if not isinstance(event, Mapping) or event.get("event") != "user":
            continue
        stamp = event.get("timestamp")
        if not isinstance(stamp, (int, float)) or stamp < since:
            continue
        parse = event.get("parse_data") or {}
        if (parse.get("intent") or {}).get("name") != intent:
            continue
        found = {
            str(e.get("entity")): str(e.get("value") or "")
            for e in parse.get("entities") or []
            if isinstance(e, Mapping)
        }
        if all(found.get(name, "") == value for name, value in entities.items()):
            return True
    return False
