"""Opening hours of the human team and what a shopper is told while waiting (pure functions)."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.settings import Settings

MINUTES_PER_CASE = 5  # rough handling time of one hand-off, for the wait estimate


def _local(now: datetime, settings: Settings) -> datetime:
    return now.astimezone(ZoneInfo(settings.support_timezone))


def is_open(now: datetime, settings: Settings) -> bool:
    local = _local(now, settings)
    return (
        local.weekday() in settings.support_weekdays
        and settings.support_opens <= local.hour < settings.support_closes
    )


def _opening_on(day: datetime, settings: Settings) -> datetime:
    tz = ZoneInfo(settings.support_timezone)
    return datetime.combine(day.date(), time(settings.support_opens), tzinfo=tz)


def next_opening(
    now: datetime, settings: Settings, *, after_today: bool = False
) -> datetime | None:
    """The next time the team opens, strictly after `now` (after today when `after_today`)."""
    local = _local(now, settings)
    for days in range(0 if not after_today else 1, 15):
        day = local + timedelta(days=days)
        if day.weekday() not in settings.support_weekdays:
            continue
        opening = _opening_on(day, settings)
        if opening > local:
            return opening
    return None  # no weekday configured


def wait_estimate(
    now: datetime, settings: Settings, agents_online: int, waiting_ahead: int
) -> tuple[bool, int | None, datetime | None]:
    """(open_now, expected_wait_minutes, answer_by).

    Open with agents online: (cases ahead + this one) × 5 min shared among the agents, no
    promise of a time. Closed, or open with nobody online: no wait estimate, and the next
    opening (after today's when open) as the time by which a person will answer — an honest
    upper bound rather than a guess of when someone comes back.
    """
    open_now = is_open(now, settings)
    if open_now and agents_online > 0:
        minutes = math.ceil((waiting_ahead + 1) * MINUTES_PER_CASE / max(agents_online, 1))
        return True, minutes, None
    return open_now, None, next_opening(now, settings, after_today=open_now)
