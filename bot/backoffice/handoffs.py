"""Hand-off bookkeeping shared by the service API and the inbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clients.backoffice.models import HandoffRequest, HandoffTicket
from bot.settings import Settings

from .db import OPEN_STATUSES, Handoff, HandoffMessage, User
from .hours import wait_estimate
from .sanitize import clean_text
from .security import AGENT_ROLES


def open_handoff(db: Session, conversation_id: str) -> Handoff | None:
    return db.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES)
        )
    )


def agents_online(db: Session, now: datetime, settings: Settings) -> int:
    since = now - timedelta(seconds=settings.agent_online_seconds)
    return int(
        db.scalar(
            select(func.count(User.id)).where(
                User.active.is_(True), User.role.in_(AGENT_ROLES), User.last_seen >= since
            )
        )
        or 0
    )


def waiting_ahead(db: Session, handoff: Handoff) -> int:
    """Waiting cases an agent will take before this one (more urgent, or as urgent and older)."""
    return int(
        db.scalar(
            select(func.count(Handoff.id)).where(
                Handoff.status == "waiting",
                Handoff.id != handoff.id,
                (Handoff.priority < handoff.priority)
                | ((Handoff.priority == handoff.priority) & (Handoff.id < handoff.id)),
            )
        )
        or 0
    )


def ticket(db: Session, handoff: Handoff, now: datetime, settings: Settings) -> HandoffTicket:
    online = agents_online(db, now, settings)
    open_now, minutes, answer_by = wait_estimate(now, settings, online, waiting_ahead(db, handoff))
    return HandoffTicket(
        id=handoff.id,
        conversation_id=handoff.conversation_id,
        status=handoff.status,
        open_now=open_now,
        agents_online=online,
        expected_wait_minutes=minutes,
        answer_by=answer_by,
    )


def create_or_get(db: Session, request: HandoffRequest, now: datetime) -> tuple[Handoff, bool]:
    """(handoff, created): the conversation's open hand-off when there is one."""
    existing = open_handoff(db, request.conversation_id)
    if existing is not None:
        return existing, False
    handoff = Handoff(
        conversation_id=request.conversation_id,
        channel=request.channel,
        reason=request.reason.value,
        priority=request.priority,
        status="waiting",
        summary=request.summary.model_dump(mode="json"),
        mood=request.mood,
        created_at=now,
        updated_at=now,
    )
    db.add(handoff)
    try:
        db.commit()
    except IntegrityError:  # the same conversation raced us: return its hand-off
        db.rollback()
        existing = open_handoff(db, request.conversation_id)
        if existing is None:
            raise
        return existing, False
    return handoff, True


def add_message(
    db: Session, handoff: Handoff, sender: str, text: str, now: datetime, author: User | None = None
) -> HandoffMessage:
    message = HandoffMessage(
        handoff_id=handoff.id,
        sender=sender,
        text=clean_text(text),
        at=now,
        author_id=author.id if author else None,
    )
    handoff.updated_at = now
    db.add(message)
    db.commit()
    return message


def queue(db: Session) -> list[Handoff]:
    """Open hand-offs, most urgent first, then longest waiting."""
    return list(
        db.scalars(
            select(Handoff)
            .where(Handoff.status.in_(OPEN_STATUSES))
            .order_by(Handoff.priority, Handoff.created_at, Handoff.id)
        )
    )


def waited(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    return f"{hours // 24} j {hours % 24} h"
