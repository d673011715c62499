"""The background tasks of delay notices, started in the back office's lifespan: the worker
that sends queued notices through Rasa's trigger_intent, and the poller of shops without
webhooks. Both keep their state in the database only, so a restart loses nothing: a notice
stored before the restart is sent by the next worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.clients.shop.delays import PolledDelays
from bot.core import forgotten

from ..rasa import RasaError
from . import queue, rules
from .sources import poller_of

log = logging.getLogger(__name__)
INTENT = "order_delayed"
SWEEP_EVERY = timedelta(hours=1)  # purge of expired watches, erased conversations
T = TypeVar("T")


async def _db(state: Any, work: Callable[..., T], *args: Any) -> T:
    """`work(db, *args)` in a session, in a thread (SQLite may wait on a lock)."""

    def run() -> T:
        with state.sessions() as db:
            return work(db, *args)

    return await asyncio.to_thread(run)


def _erased_since(state: Any, conversation_id: str, made: datetime) -> bool:
    """True when the shopper had this conversation erased after `made`."""
    at = forgotten.erased_at(conversation_id, state.settings.forgotten_db)
    return at is not None and at >= made.timestamp()


def sweep(db: Session, state: Any, now: datetime) -> dict[str, int]:
    """Expired watches and old finished notices out; the rows of conversations erased since
    they were made (bot/privacy records erasures in forgotten.db) deleted too."""
    counts = queue.purge(db, now, timedelta(days=state.settings.notice_watch_days))
    erased = 0
    for conversation, first in queue.conversations(db):
        at = forgotten.erased_at(conversation, state.settings.forgotten_db)
        if at is not None and at >= first.timestamp():
            erased += queue.forget(db, [conversation], datetime.fromtimestamp(at, timezone.utc))
    counts["erased"] = erased
    return counts


async def send_due(state: Any) -> Counter[str]:
    """One pass of the worker: the hourly sweep, then every notice due now. Returns what
    became of them ("sent", "skipped:<reason>", "failed", "taken" by another worker)."""
    now = state.clock()
    last = getattr(state, "notices_swept_at", None)
    if last is None or now - last >= SWEEP_EVERY or now < last:
        await _db(state, sweep, state, now)
        state.notices_swept_at = now
    outcomes: Counter[str] = Counter()
    for notice_id in await _db(state, queue.due, now):
        outcomes[await send_one(state, notice_id)] += 1
    return outcomes


async def send_one(state: Any, notice_id: int) -> str:
    """Claim one notice, apply its channel's rule, send it through Rasa."""
    settings = state.settings
    now = state.clock()
    notice = await _db(state, queue.claim, notice_id, now)
    if notice is None:
        return "taken"

    async def skip(reason: str) -> str:
        await _db(state, queue.finish, notice, queue.SKIPPED, now, reason)
        log.info("notice %s skipped: %s", notice.id, reason)
        return f"skipped:{reason}"

    async def fail(error: str) -> str:
        again = await _db(
            state,
            queue.failed,
            notice,
            now,
            error,
            settings.notice_retry_seconds,
            settings.notice_max_attempts,
        )
        log.warning("notice %s failed (try %s): %s", notice.id, notice.attempts, error)
        return "failed" if again else "failed:gave_up"

    try:
        if await _db(state, lambda db: queue.is_stopped(db, notice.conversation_id)):
            return await skip(rules.STOPPED)
        if await asyncio.to_thread(_erased_since, state, notice.conversation_id, notice.created_at):
            return await skip(rules.ERASED)
        delivery = notice.expected_delivery.isoformat() if notice.expected_delivery else ""
        entities = {"order_number": notice.order_number, "delivery_date": delivery}
        tracker = await state.rasa.tracker(notice.conversation_id)
        since = notice.created_at.timestamp()
        if notice.attempts > 1 and rules.already_notified(tracker, INTENT, entities, since):
            await _db(state, queue.finish, notice, queue.SENT, now, None)
            return "sent"
        channel = rules.channel_of(tracker, notice.channel)
        decision = rules.decide(channel, tracker, now, settings.notice_widget_open_minutes)
        if not decision.send:
            return await skip(decision.reason or rules.UNKNOWN_CHANNEL)
        await state.rasa.trigger_intent(notice.conversation_id, INTENT, entities)
    except RasaError as error:
        return await fail(str(error))
    except Exception as error:  # noqa: BLE001 - one bad notice must not stop the others
        log.exception("notice %s", notice.id)
        return await fail(type(error).__name__)
    await _db(state, queue.finish, notice, queue.SENT, now, None)
    log.info("notice %s sent on %s", notice.id, channel)
    return "sent"


async def poll_once(state: Any, client: PolledDelays) -> int:
    """Ask the shop which followed orders are late; store their notices. Returns how many
    notices are new (a delay seen by an earlier poll adds none)."""
    now = state.clock()
    numbers = await _db(state, queue.followed_numbers, now)
    if not numbers:
        return 0
    events = await asyncio.to_thread(client.delays, numbers)
    wanted = set(numbers)
    added = 0
    for event in events:
        if event.order_number in wanted:  # never trust the client to stay within `numbers`
            added += await _db(state, queue.store_event, event, now)
    if added:
        wake(state)
    return added


def wake(state: Any) -> None:
    """Make the worker look at the queue now (a notice was just stored)."""
    event = getattr(state, "notices_wake", None)
    if event is not None:
        event.set()


async def run_worker(state: Any) -> None:
    every = state.settings.notice_worker_seconds
    while True:
        try:
            await send_due(state)
        except Exception:  # noqa: BLE001 - the worker must outlive one failed pass
            log.exception("notice worker pass failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(state.notices_wake.wait(), every)
        state.notices_wake.clear()


async def run_poller(state: Any) -> None:
    client = await asyncio.to_thread(poller_of, state)
    if client is None:
        return  # the shop sends webhooks (or nothing): nothing to poll
    every = state.settings.prestashop_poll_minutes * 60
    while True:
        try:
            await poll_once(state, client)
        except Exception:  # noqa: BLE001 - a shop outage must not stop the polling
            log.exception("delay poll failed")
        await asyncio.sleep(every)


def start(state: Any) -> list[asyncio.Task[None]]:
    """The worker and the poller (none when notice_worker_seconds is 0)."""
    if state.settings.notice_worker_seconds <= 0:
        return []
    state.notices_wake = asyncio.Event()
    return [asyncio.create_task(run_worker(state)), asyncio.create_task(run_poller(state))]


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
