"""The notices' storage: watches, stops and the queue, in the back office's database so that
they survive restarts and every back-office process sees the same rows.

A notice is claimed by a conditional UPDATE before it is sent (status -> "sending" with a
lease), so two workers never send the same row; a row whose lease ran out (its worker died
mid-send) is claimed again, and the sender first checks the tracker for the earlier try.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.clients.shop.delays import DelayEvent

from ..db import Notice, NoticeStop, NoticeWatch

QUEUED, SENDING, SENT, SKIPPED, FAILED = "queued", "sending", "sent", "skipped", "failed"
FINISHED = (SENT, SKIPPED, FAILED)
LEASE = timedelta(minutes=5)  # longer than any send (Rasa's timeouts are seconds)
GAVE_UP = "gave_up"


def _count(db: Session, statement: Executable) -> int:
    """Rows an UPDATE, DELETE or INSERT changed."""
    return int(cast(CursorResult[Any], db.execute(statement)).rowcount or 0)


def watch(
    db: Session,
    conversation_id: str,
    order_number: str,
    channel: str,
    now: datetime,
    lifetime: timedelta,
    resume: bool = False,
) -> tuple[NoticeWatch, bool]:
    """Follow this order for this conversation (again: the lifetime starts over). Returns the
    watch and whether notices go to the conversation: a "stop" holds until the shopper
    explicitly asks again (`resume`), proving an order is not asking for notices."""
    row = db.scalar(
        select(NoticeWatch).where(
            NoticeWatch.conversation_id == conversation_id,
            NoticeWatch.order_number == order_number,
        )
    )
    if row is None:
        row = NoticeWatch(
            conversation_id=conversation_id,
            order_number=order_number,
            channel=channel,
            created_at=now,
            updated_at=now,
            expires_at=now + lifetime,
        )
        db.add(row)
    else:
        row.channel, row.updated_at, row.expires_at = channel, now, now + lifetime
    if resume:
        db.execute(delete(NoticeStop).where(NoticeStop.conversation_id == conversation_id))
    db.commit()
    return row, not is_stopped(db, conversation_id)


def stop(db: Session, conversation_id: str, now: datetime) -> int:
    """The shopper said "stop": remember it, and skip the notices still waiting. Returns how
    many were skipped."""
    if db.get(NoticeStop, conversation_id) is None:
        db.add(NoticeStop(conversation_id=conversation_id, stopped_at=now))
    skipped = _count(
        db,
        update(Notice)
        .where(Notice.conversation_id == conversation_id, Notice.status.in_((QUEUED, FAILED)))
        .where(or_(Notice.status == QUEUED, Notice.next_try_at.is_not(None)))
        .values(status=SKIPPED, reason="stopped", next_try_at=None, updated_at=now),
    )
    db.commit()
    return skipped


def is_stopped(db: Session, conversation_id: str) -> bool:
    return db.get(NoticeStop, conversation_id) is not None


def _insert(db: Session) -> Any:
    """INSERT … ON CONFLICT DO NOTHING in this database's dialect."""
    name = db.get_bind().dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(Notice)


def store_event(db: Session, event: DelayEvent, now: datetime) -> int:
    """One queued notice per active watch of the order (stopped conversations get none); an
    event already stored adds nothing. Committed before returning: then the shop may be told
    it was received. Returns the number of new notices."""
    watches = db.scalars(
        select(NoticeWatch).where(
            NoticeWatch.order_number == event.order_number.strip(),
            NoticeWatch.expires_at > now,
            NoticeWatch.conversation_id.not_in(select(NoticeStop.conversation_id)),
        )
    ).all()
    added = 0
    for row in watches:
        statement = (
            _insert(db)
            .values(
                conversation_id=row.conversation_id,
                order_number=row.order_number,
                event_id=event.event_id[:255],
                expected_delivery=event.expected_delivery,
                channel=row.channel,
                status=QUEUED,
                attempts=0,
                next_try_at=now,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["conversation_id", "order_number", "event_id"])
        )
        # RETURNING, not rowcount: PostgreSQL's driver reports -1 for this INSERT.
        added += len(db.execute(statement.returning(Notice.id)).all())
    db.commit()
    return added


def followed_numbers(db: Session, now: datetime) -> list[str]:
    """The orders some conversation follows and has not stopped: what the poller asks about."""
    query = (
        select(NoticeWatch.order_number)
        .where(
            NoticeWatch.expires_at > now,
            NoticeWatch.conversation_id.not_in(select(NoticeStop.conversation_id)),
        )
        .distinct()
        .order_by(NoticeWatch.order_number)
    )
    return list(db.scalars(query))


def due(db: Session, now: datetime, limit: int = 50) -> Sequence[int]:
    """Ids of notices to send now: queued or failed-to-retry and due, or left mid-send."""
    query = (
        select(Notice.id)
        .where(
            or_(
                and_(Notice.status.in_((QUEUED, FAILED)), Notice.next_try_at <= now),
                and_(Notice.status == SENDING, Notice.claimed_until < now),
            )
        )
        .order_by(Notice.id)
        .limit(limit)
    )
    return list(db.scalars(query))


def claim(db: Session, notice_id: int, now: datetime) -> Notice | None:
    """The notice, if this worker took it (conditional UPDATE), else None."""
    taken = _count(
        db,
        update(Notice)
        .where(
            Notice.id == notice_id,
            or_(
                and_(Notice.status.in_((QUEUED, FAILED)), Notice.next_try_at <= now),
                and_(Notice.status == SENDING, Notice.claimed_until < now),
            ),
        )
        .values(
            status=SENDING,
            claimed_until=now + LEASE,
            attempts=Notice.attempts + 1,
            updated_at=now,
        ),
    )
    db.commit()
    return db.get(Notice, notice_id, populate_existing=True) if taken else None


def finish(db: Session, notice: Notice, status: str, now: datetime, reason: str | None) -> None:
    """Mark a claimed notice sent or skipped."""
    db.execute(
        update(Notice)
        .where(Notice.id == notice.id, Notice.status == SENDING)
        .values(status=status, reason=reason, next_try_at=None, claimed_until=None, updated_at=now)
    )
    db.commit()


def failed(
    db: Session,
    notice: Notice,
    now: datetime,
    error: str,
    retry_after: float,
    max_attempts: int,
) -> bool:
    """Record a failed try: retried after `retry_after` × 2^(tries-1) seconds, given up after
    `max_attempts` tries. Returns True when it will be retried."""
    again = notice.attempts < max_attempts
    delay = timedelta(seconds=retry_after * 2 ** max(notice.attempts - 1, 0))
    db.execute(
        update(Notice)
        .where(Notice.id == notice.id, Notice.status == SENDING)
        .values(
            status=FAILED,
            reason=None if again else GAVE_UP,
            next_try_at=now + delay if again else None,
            claimed_until=None,
            last_error=error[:200],
            updated_at=now,
        )
    )
    db.commit()
    return again


def purge(db: Session, now: datetime, keep: timedelta) -> dict[str, int]:
    """Expired watches, and finished notices older than `keep`: personal data kept no longer
    than it serves."""
    watches = _count(db, delete(NoticeWatch).where(NoticeWatch.expires_at <= now))
    notices = _count(
        db,
        delete(Notice)
        .where(Notice.status.in_(FINISHED), Notice.updated_at < now - keep)
        .where(or_(Notice.status != FAILED, Notice.next_try_at.is_(None))),
    )
    db.commit()
    return {"watches": watches, "notices": notices}


def conversations(db: Session) -> list[tuple[str, datetime]]:
    """Every conversation with notice data, and when its oldest row was made."""
    firsts: dict[str, datetime] = {}
    for conversation, at in db.execute(
        select(NoticeWatch.conversation_id, NoticeWatch.created_at)
    ).all():
        firsts[conversation] = min(at, firsts.get(conversation, at))
    for conversation, at in db.execute(select(Notice.conversation_id, Notice.created_at)).all():
        firsts[conversation] = min(at, firsts.get(conversation, at))
    return sorted(firsts.items())


def forget(db: Session, conversation_ids: Iterable[str], before: datetime | None = None) -> int:
    """Delete every watch, stop and notice of these conversations (an erasure), or only those
    made before `before` (a conversation erased, then started again under the same id)."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return 0
    count = 0
    for model, made in (
        (Notice, Notice.created_at),
        (NoticeWatch, NoticeWatch.created_at),
        (NoticeStop, NoticeStop.stopped_at),
    ):
        statement = delete(model).where(model.conversation_id.in_(ids))
        if before is not None:
            statement = statement.where(made < before)
        count += _count(db, statement)
    db.commit()
    return count
