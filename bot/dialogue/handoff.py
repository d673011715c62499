"""What the agent reads first and what the shopper is told while waiting: pure functions over
the tracker's events and the back office's ticket, so they can be tested without a server."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

from bot.clients.backoffice.models import HandoffTicket, Summary, Turn
from bot.core import replies
from bot.core.handoff import is_external
from bot.dialogue.texts import french_date

LAST_MESSAGES = 10
REQUESTS = replies.REQUESTS  # the agent's label of each request, by intent


def _said(event: Mapping[str, Any]) -> Turn | None:
    text = (event.get("text") or "").strip()
    if not text or is_external(text):  # a back-office event, not something said
        return None
    if event.get("event") == "user":
        return None if text.startswith("/") else Turn(sender="shopper", text=text[:4000])
    if event.get("event") == "bot":
        return Turn(sender="bot", text=text[:4000])
    return None


def summarise(events: Iterable[Mapping[str, Any]], order_number: str | None) -> Summary:
    """The shopper's request (the last thing they asked for, quoted from the message that asked
    it, not from a later answer such as a postcode), the verified order and the last messages,
    so that the agent never makes them repeat it."""
    turns: list[Turn] = []
    request, asked = "", ""
    for event in events:
        turn = _said(event)
        if turn:
            turns.append(turn)
        if event.get("event") == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent in REQUESTS:
                request, asked = REQUESTS[intent], turn.text if turn else ""
    last_shopper = next((t.text for t in reversed(turns) if t.sender == "shopper"), "")
    if not request:
        request = last_shopper[:200]
    elif asked:
        request = replies.REQUEST_QUOTED.format(request=request, words=asked[:200])
    return Summary(
        request=request[:500], order_number=order_number, last_messages=turns[-LAST_MESSAGES:]
    )


def _when(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    hour = (
        replies.HOUR_MINUTES.format(hour=local.hour, minutes=local.minute)
        if local.minute
        else replies.HOUR.format(hour=local.hour)
    )
    return replies.AT_DAY_AND_HOUR.format(day=french_date(local, weekday=True), hour=hour)


def waiting_message(ticket: HandoffTicket, timezone: str) -> str:
    """Honest about what happens next: a wait when someone is there, else when."""
    if ticket.open_now and ticket.agents_online and ticket.expected_wait_minutes is not None:
        wait = ticket.expected_wait_minutes
        eta = replies.ETA_NOW if wait <= 1 else replies.ETA_MINUTES.format(minutes=wait)
        return replies.HANDED_OVER.format(eta=eta)
    why = replies.CLOSED_NOW if not ticket.open_now else replies.NOBODY_AVAILABLE
    when = _when(ticket.answer_by, timezone) if ticket.answer_by else replies.AS_SOON_AS_POSSIBLE
    return replies.LEAVE_A_MESSAGE.format(why=why, when=when)
