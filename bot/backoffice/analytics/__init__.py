"""The shop owner's dashboard (issue 15): a copy of the tracker store kept one row per
conversation (facts.py, refresh.py), the figures over a range (figures.py), and their charts
(charts.py). The background copy runs in the back office's lifespan (`start` / `stop`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.backoffice.tracker_events import tracker_engine

from .refresh import RefreshResult, refresh, refreshed_at

log = logging.getLogger(__name__)


# Before a page, at most this many batches (~100,000 events, seconds); the rest is the
# background task's.
PAGE_BATCHES = 5


def refresh_now(state: Any, max_batches: int | None = None) -> RefreshResult:
    """One incremental pass over the app's tracker store (blocking: run it in a thread)."""
    settings = state.settings
    with tracker_engine(settings.tracker_url) as tracker:
        return refresh(
            state.sessions,
            tracker,
            ZoneInfo(settings.support_timezone),
            state.clock(),
            max_batches=max_batches,
        )


async def ensure_fresh(state: Any) -> None:
    """Before a page: bring the copy up to date when it is older than the stale limit (a
    failure is logged; the page shows the figures of the last good copy and their age)."""
    limit = timedelta(seconds=state.settings.dashboard_stale_seconds)
    last = await asyncio.to_thread(refreshed_at, state.sessions)
    if last is not None and state.clock() - last < limit:
        return
    try:
        await asyncio.to_thread(refresh_now, state, PAGE_BATCHES)
    except Exception:  # noqa: BLE001 - the page still shows the last copy
        log.exception("dashboard copy failed")


async def run(state: Any) -> None:
    every = state.settings.dashboard_refresh_seconds
    while True:
        # First wait: a page asked early copies on demand, and start-up stays quick.
        await asyncio.sleep(every)
        try:
            await asyncio.to_thread(refresh_now, state)
        except Exception:  # noqa: BLE001 - the task must outlive one failed pass
            log.exception("dashboard copy failed")


def start(state: Any) -> asyncio.Task[None] | None:
    """The background copy (none when dashboard_refresh_seconds is 0)."""
    if state.settings.dashboard_refresh_seconds <= 0:
        return None
    return asyncio.create_task(run(state))


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
