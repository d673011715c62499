"""Reads of the cases for the inbox and the shopper's ticket (changes are in cases.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clients.backoffice.models import HandoffTicket
from bot.core.handoff import OPEN_STATUSES, CaseStatus
from bot.settings import Settings

from .db import Handoff, User
from .hours import wait_estimate
from .security import AGENT_ROLES


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
                Handoff.status == CaseStatus.waiting,
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
