"""The retention purge on a schedule, inside the back office: at start-up, then every
`purge_every_hours`. The last run is kept in the back office's database (`privacy_schedule`),
so a restart neither repeats a purge that just ran nor skips one that is due, and of several
back-office processes only the one that claims the run (a conditional UPDATE) does it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.backoffice.db import PrivacySchedule
from bot.settings import Settings

from .service import SCHEDULE, SCHEDULER_ACTOR, Retention, Stores, audit, purge

log = logging.getLogger(__name__)
JOB = "purge"
RETRY_SECONDS = 600.0  # after a failed run


def claim(stores: Stores, now: datetime, every: timedelta) -> bool:
    """True when the purge is due and this process took it (its last run is now `now`)."""
    with stores.backoffice() as db:
        if db.get(PrivacySchedule, JOB) is None:
            db.add(PrivacySchedule(name=JOB, last_run_at=None))
            try:
                db.commit()
            except IntegrityError:  # another process made the row first
                db.rollback()
        taken = db.execute(
            update(PrivacySchedule)
            .where(
                PrivacySchedule.name == JOB,
                or_(
                    PrivacySchedule.last_run_at.is_(None),
                    PrivacySchedule.last_run_at <= now - every,
                ),
            )
            .values(last_run_at=now)
        ).rowcount
        db.commit()
    return bool(taken)


def seconds_until_due(stores: Stores, now: datetime, every: timedelta) -> float:
    with stores.backoffice() as db:
        row = db.get(PrivacySchedule, JOB)
        last = row.last_run_at if row else None
    if last is None:
        return 0.0
    return max(0.0, (last + every - now).total_seconds())


def run_if_due(settings: Settings, stores: Stores, now: datetime) -> dict[str, int] | None:
    """One tick: purge and audit it when due and claimed; None when it was not this turn."""
    every = timedelta(hours=settings.purge_every_hours)
    if not claim(stores, now, every):
        return None
    counts = purge(stores, Retention.from_settings(settings), now)
    audit(stores, "purge", SCHEDULER_ACTOR, SCHEDULE, counts, now=now)
    log.info("retention purge done: %s", counts)
    return counts


async def run_forever(
    settings: Settings, engine: Engine, clock: Callable[[], datetime], first_delay: float
) -> None:
    stores = Stores.from_settings(settings, engine)
    every = timedelta(hours=settings.purge_every_hours)
    await asyncio.sleep(first_delay)
    while True:
        wait = every.total_seconds()
        try:
            await asyncio.to_thread(run_if_due, settings, stores, clock())
            wait = await asyncio.to_thread(seconds_until_due, stores, clock(), every)
        except Exception:  # noqa: BLE001 - the schedule must outlive one failed run
            log.exception("retention purge failed; next try in %.0f s", RETRY_SECONDS)
            wait = RETRY_SECONDS
        await asyncio.sleep(max(wait, 1.0))


def start(
    settings: Settings, engine: Engine, clock: Callable[[], datetime], first_delay: float = 30.0
) -> asyncio.Task[None] | None:
    """The background task of the back office's lifespan (None when the schedule is off)."""
    if settings.purge_every_hours <= 0:
        return None
    return asyncio.create_task(run_forever(settings, engine, clock, first_delay))


async def stop(task: asyncio.Task[None] | None) -> None:
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
