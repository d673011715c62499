"""Each channel's rule for writing first (bot/backoffice/notices/rules.py), on its own."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.backoffice.notices import rules

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


def said(ago: timedelta, text: str = "Où est ma commande ?", channel: str = "x") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "timestamp": (NOW - ago).timestamp(),
        "input_channel": channel,
    }


def tracker(*events: dict[str, Any], channel: str | None = None) -> dict[str, Any]:
    return {"sender_id": "c", "latest_input_channel": channel, "events": list(events)}


def decide(channel: str, *events: dict[str, Any]) -> rules.Decision:
    return rules.decide(channel, tracker(*events), NOW, widget_open_minutes=60)


@pytest.mark.parametrize(
    ("age", "send"),
    [(timedelta(hours=23), True), (timedelta(hours=23, minutes=59), True)]
    + [(timedelta(hours=24), False), (timedelta(hours=25), False)],
)
def test_messenger_only_within_24_hours_of_the_shoppers_last_message(
    age: timedelta, send: bool
) -> None:
    decision = decide("facebook", said(timedelta(days=3)), said(age))
    assert decision.send is send
    assert decision.reason == (None if send else rules.WINDOW_CLOSED)


def test_messenger_window_is_not_reopened_by_the_bots_own_events() -> None:
    """A trigger_intent (an earlier notice, an agent's reply) is a user event too."""
    external = said(timedelta(hours=1), text="EXTERNAL: order_delayed")
    bot = {"event": "bot", "text": "Votre commande a du retard", "timestamp": NOW.timestamp()}
    decision = decide("facebook", said(timedelta(hours=30)), external, bot)
    assert decision == rules.Decision(False, rules.WINDOW_CLOSED)
    assert decide("facebook") == rules.Decision(False, rules.WINDOW_CLOSED)


def test_telegram_only_after_the_shopper_wrote() -> None:
    assert decide("telegram") == rules.Decision(False, rules.CONVERSATION_CLOSED)
    external = said(timedelta(minutes=1), text="EXTERNAL: agent_reply")
    assert decide("telegram", external).send is False
    assert decide("telegram", said(timedelta(days=20))).send is True  # no window on Telegram


@pytest.mark.parametrize("channel", ["socketio", "rest"])
def test_widget_only_while_the_conversation_is_open(channel: str) -> None:
    assert decide(channel, said(timedelta(minutes=59))).send is True
    assert decide(channel, said(timedelta(minutes=60))).send is True
    closed = decide(channel, said(timedelta(minutes=61)))
    assert closed == rules.Decision(False, rules.CONVERSATION_CLOSED)
    assert decide(channel) == rules.Decision(False, rules.CONVERSATION_CLOSED)
    longer = rules.decide(channel, tracker(said(timedelta(minutes=61))), NOW, 90)
    assert longer.send is True


@pytest.mark.parametrize("channel", ["", "twilio", "cmdline", "Facebook"])
def test_other_channels_are_skipped(channel: str) -> None:
    assert decide(channel, said(timedelta(minutes=1))) == rules.Decision(
        False, rules.UNKNOWN_CHANNEL
    )


def test_channel_comes_from_the_tracker_first() -> None:
    assert rules.channel_of(tracker(channel="facebook"), "socketio") == "facebook"
    last = said(timedelta(minutes=1), channel="telegram")
    assert rules.channel_of(tracker(last), "socketio") == "telegram"
    assert rules.channel_of(tracker(), "socketio") == "socketio"


def test_already_notified_finds_the_earlier_try() -> None:
    trigger = {
        "event": "user",
        "text": "EXTERNAL: order_delayed",
        "timestamp": NOW.timestamp(),
        "parse_data": {
            "intent": {"name": "order_delayed"},
            "entities": [
                {"entity": "order_number", "value": "CM000042"},
                {"entity": "delivery_date", "value": "2026-12-03"},
            ],
        },
    }
    found = tracker(trigger)
    since = (NOW - timedelta(minutes=5)).timestamp()
    same = {"order_number": "CM000042", "delivery_date": "2026-12-03"}
    assert rules.already_notified(found, "order_delayed", same, since)
    other_order = {**same, "order_number": "CM000043"}
    assert not rules.already_notified(found, "order_delayed", other_order, since)
    other_delay = {**same, "delivery_date": "2026-12-10"}  # a later delay of the same order
    assert not rules.already_notified(found, "order_delayed", other_delay, since)
    assert not rules.already_notified(found, "agent_reply", same, since)
    later = (NOW + timedelta(seconds=1)).timestamp()
    assert not rules.already_notified(found, "order_delayed", same, later)
