"""The incremental copy of the tracker store (and the cases) into `conversation_facts`.

The tracker's `events` table is read in id order from the last id seen; every sender with a
new event has all its conversations rebuilt from its full history (a conversation whose events
arrive later is updated, nothing is counted twice: a sender's rows are replaced, never added
to). Cases changed since the last pass (`updated_at`: a reply, a resolution, a reopening)
rebuild their sender too. The cursor row is locked for the pass (PostgreSQL), so two
back-office processes do not copy the same batch.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.backoffice.tracker_events import TrackerEvent, events

from ..db import (
    ConversationCount,
    ConversationFact,
    DailyCount,
    DashboardCursor,
    Handoff,
    HandoffMessage,
)
from .facts import CaseInfo, conversation_facts

log = logging.getLogger(__name__)
CURSOR = "tracker"
BATCH = 20_000  # events per pass
CHUNK = 500  # ids per IN (…)
# cases.reopen() writes this system note: the only trace a case was reopened.
REOPEN_NOTE = "Rouvert par %"
_lock = threading.Lock()
DAILY = sa.Table("conversation_counts_daily", DailyCount.metadata)
FACTS = sa.Table("conversation_facts", ConversationFact.metadata)  # the mapped tables, as Core
COUNTS = sa.Table("conversation_counts", ConversationCount.metadata)


@dataclass
class RefreshResult:
    events: int = 0
    conversations: int = 0  # senders rebuilt
    batches: int = 0
    complete: bool = True  # False: stopped at max_batches, more to copy
    seconds: float = 0.0


T = TypeVar("T")


def chunks(items: list[T], size: int = CHUNK) -> Iterable[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _cursor(db: Session) -> DashboardCursor:
    row = db.get(DashboardCursor, CURSOR, with_for_update=True)
    if row is None:
        db.add(DashboardCursor(name=CURSOR, last_event_id=0))
        try:
            db.commit()
        except IntegrityError:  # another process made it first
            db.rollback()
        row = db.get(DashboardCursor, CURSOR, with_for_update=True)
    assert row is not None
    return row


def cases_of(db: Session, senders: list[str]) -> dict[str, list[CaseInfo]]:
    """The cases of these conversations, with their first agent reply and reopening."""
    found: dict[str, list[CaseInfo]] = {}
    for batch in chunks(senders):
        rows = db.execute(
            select(
                Handoff.id,
                Handoff.conversation_id,
                Handoff.channel,
                Handoff.reason,
                Handoff.status,
                Handoff.created_at,
                Handoff.resolved_at,
            ).where(Handoff.conversation_id.in_(batch))
        ).all()
        ids = [r.id for r in rows]
        first_reply: dict[int, datetime] = {}
        reopened: set[int] = set()
        if ids:
            first_reply = dict(
                db.execute(
                    select(HandoffMessage.handoff_id, func.min(HandoffMessage.at))
                    .where(HandoffMessage.handoff_id.in_(ids), HandoffMessage.sender == "agent")
                    .group_by(HandoffMessage.handoff_id)
                ).all()
            )
            reopened = set(
                db.scalars(
                    select(HandoffMessage.handoff_id).where(
                        HandoffMessage.handoff_id.in_(ids),
                        HandoffMessage.sender == "system",
                        HandoffMessage.text.like(REOPEN_NOTE),
                    )
                )
            )
        for r in rows:
            found.setdefault(r.conversation_id, []).append(
                CaseInfo(
                    id=r.id,
                    conversation_id=r.conversation_id,
                    channel=r.channel,
                    reason=r.reason,
                    status=r.status.value if hasattr(r.status, "value") else str(r.status),
                    created_at=r.created_at,
                    resolved_at=r.resolved_at,
                    first_agent_at=_aware(first_reply.get(r.id)),
                    reopened=r.id in reopened,
                )
            )
    return found


def _aware(value: datetime | None) -> datetime | None:
    """func.min() / func.max() skip the column's type: naive UTC comes back, made aware here."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def _delete(db: Session, conversations: Iterable[str]) -> tuple[int, set[date]]:
    """Delete the rows of these conversations: (conversation rows, days their counts were on)."""
    deleted, days = 0, set[date]()
    for batch in chunks(sorted(set(conversations))):
        where = ConversationCount.conversation_id.in_(batch)
        days.update(db.scalars(select(ConversationCount.local_day).where(where).distinct()))
        db.execute(delete(ConversationCount).where(where))
        gone = db.execute(
            delete(ConversationFact).where(ConversationFact.conversation_id.in_(batch))
        )
        deleted += int(getattr(gone, "rowcount", 0) or 0)
    return deleted, days


def roll_up(db: Session, days: Iterable[date]) -> None:
    """Sum these days of `conversation_counts` again into `conversation_counts_daily`."""
    daily, counts = DAILY, ConversationCount
    for some in chunks(sorted(set(days))):
        db.execute(delete(DailyCount).where(DailyCount.local_day.in_(some)))
        summed = (
            select(
                counts.local_day,
                counts.channel,
                counts.kind,
                counts.name,
                func.sum(counts.n),
                func.sum(counts.helpful),
                func.sum(counts.unhelpful),
            )
            .where(counts.local_day.in_(some))
            .group_by(counts.local_day, counts.channel, counts.kind, counts.name)
        )
        columns = ["local_day", "channel", "kind", "name", "n", "helpful", "unhelpful"]
        db.execute(insert(daily).from_select(columns, summed))


def forget(db: Session, conversations: Iterable[str]) -> int:
    """Delete the rows of these conversations (privacy erasure and purge) and their share of
    the daily sums; returns how many conversation rows. Not committed."""
    deleted, days = _delete(db, conversations)
    roll_up(db, days)
    return deleted


# Only these events' JSON is read: an action's name is in its column, the rest is not counted.
DECODED = frozenset({"user", "bot", "slot", "active_loop"})


def history_of(tracker: Engine, senders: list[str]) -> dict[str, list[TrackerEvent]]:
    """Every event of these senders in id order, like tracker_events.read_conversations, but
    without parsing the JSON of events the facts do not look into (most of a tracker: 2
    million events are read in a minute, not three)."""
    found: dict[str, list[TrackerEvent]] = {sender: [] for sender in senders}
    query = (
        sa.select(
            events.c.id,
            events.c.sender_id,
            events.c.type_name,
            events.c.timestamp,
            events.c.intent_name,
            events.c.action_name,
            sa.case((events.c.type_name.in_(DECODED), events.c.data), else_=None).label("data"),
        )
        .where(events.c.sender_id.in_(senders))
        .order_by(events.c.sender_id, events.c.id)
    )
    with tracker.connect() as connection:
        for row in connection.execute(query):
            try:
                data = json.loads(row.data) if row.data else {}
            except ValueError:  # a row Rasa did not write: keep the columns
                data = {}
            found[row.sender_id].append(
                TrackerEvent(
                    id=row.id,
                    sender_id=row.sender_id,
                    type_name=row.type_name,
                    timestamp=float(row.timestamp or 0.0),
                    intent_name=row.intent_name,
                    action_name=row.action_name,
                    data=data if isinstance(data, dict) else {},
                )
            )
    return found


def _new_events(tracker: Engine, after_id: int, limit: int) -> list[tuple[int, str]]:
    """(id, sender) of up to `limit` events after `after_id`, in id order (no JSON read)."""
    query = (
        sa.select(events.c.id, events.c.sender_id)
        .where(events.c.id > after_id)
        .order_by(events.c.id)
        .limit(limit)
    )
    with tracker.connect() as connection:
        return [(row.id, row.sender_id) for row in connection.execute(query)]


def rebuild(db: Session, tracker: Engine, senders: list[str], zone: ZoneInfo) -> set[date]:
    """Replace every row of these senders by rows made from their whole history; returns the
    days whose daily sums must be made again (`roll_up`)."""
    touched: set[date] = set()
    for batch in chunks(sorted(set(senders))):
        history = history_of(tracker, batch)
        cases = cases_of(db, batch)
        facts = [
            fact
            for sender in batch
            for fact in conversation_facts(history.get(sender, []), cases.get(sender, []), zone)
        ]
        touched |= _delete(db, batch)[1]
        touched |= {f.local_day for f in facts if f.intents or f.topics}
        if facts:
            # Core inserts (executemany): the ORM's bulk path costs seconds per 10,000 rows.
            db.execute(insert(FACTS), [f.row() for f in facts])
            counts = [row for f in facts for row in f.count_rows()]
            if counts:
                db.execute(insert(COUNTS), counts)
    return touched


def refresh(
    sessions: sessionmaker,  # type: ignore[type-arg]
    tracker: Engine | None,
    zone: ZoneInfo,
    now: datetime,
    batch: int = BATCH,
    max_batches: int | None = None,
) -> RefreshResult:
    """Copy what is new; returns how much was read. Safe to call often (a pass with nothing
    new costs two small queries). With `max_batches`, stops early (a page must not wait for
    the first copy of a big tracker: the background task does it); the copy is then not
    stamped as up to date."""
    result = RefreshResult()
    began = time.perf_counter()
    touched: set[date] = set()
    with _lock:
        while tracker is not None:
            if max_batches is not None and result.batches >= max_batches:
                result.complete = False
                break
            with sessions() as db:
                cursor = _cursor(db)
                new = _new_events(tracker, cursor.last_event_id, batch)
                if not new:
                    break
                senders = sorted({sender for _, sender in new})
                touched |= rebuild(db, tracker, senders, zone)
                cursor.last_event_id = new[-1][0]
                db.commit()
            result.batches += 1
            result.events += len(new)
            result.conversations += len(senders)
        with sessions() as db:
            cursor = _cursor(db)
            seen = cursor.cases_seen_at
            latest = db.scalar(select(func.max(Handoff.updated_at)))
            latest = _aware(latest)
            if tracker is not None and seen is not None and latest is not None and latest >= seen:
                changed = list(
                    db.scalars(
                        select(Handoff.conversation_id).where(Handoff.updated_at >= seen).distinct()
                    )
                )
                touched |= rebuild(db, tracker, changed, zone)
                result.conversations += len(changed)
            # Once per call, not per batch: a first copy touches every day in every batch.
            roll_up(db, touched)
            cursor.cases_seen_at = latest or seen
            if result.complete:
                cursor.refreshed_at = now
            db.commit()
    result.seconds = time.perf_counter() - began
    if result.events:
        log.info(
            "dashboard copy: %s events, %s conversations, %.2f s",
            result.events,
            result.conversations,
            result.seconds,
        )
    return result


def refreshed_at(sessions: sessionmaker) -> datetime | None:  # type: ignore[type-arg]
    with sessions() as db:
        row = db.get(DashboardCursor, CURSOR)
        return row.refreshed_at if row else None
