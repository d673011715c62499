"""The life of a hand-off case: every change of a case goes through here, nowhere else.

    (opened) ──► waiting ──assign / reply──► assigned
                    │                           │
                    └──resolve / hand_back──────┴──► resolved (then rated) | returned

A closed case (resolved or returned) never opens again: the conversation's next hand-off is a
new case. Only one case per conversation is open at a time (the database enforces it too).

The functions take the session and the time, commit their change and raise a `CaseError` when
the case's state refuses it; the routes map each error to an HTTP answer, talk to Rasa and
publish the live event. A route that must reach the shopper first (reply, resolve, hand back)
asks `ensure_open` / `reply_text` before calling Rasa, and records the change only once Rasa
has it, so a refused or failed call leaves the case untouched.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clients.backoffice.models import HandoffRequest
from bot.core.handoff import OPEN_STATUSES, CaseStatus

from .db import Handoff, HandoffMessage, User
from .sanitize import clean_text


class CaseError(Exception):
    """A change the case's state does not allow; nothing was changed."""


class CaseNotFound(CaseError):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"no hand-off {case_id}")
        self.case_id = case_id


class CaseClosed(CaseError):
    def __init__(self, case: Handoff) -> None:
        super().__init__(f"hand-off {case.id} is already {case.status.value}")
        self.status = case.status


class CaseTaken(CaseError):
    """Another agent has the case: taking it would silently leave them out."""

    def __init__(self, case: Handoff) -> None:
        super().__init__(f"hand-off {case.id} is assigned to user {case.assigned_to}")
        self.owner = case.agent.display_name if case.agent else None


class EmptyReply(CaseError):
    def __init__(self) -> None:
        super().__init__("the reply is empty once cleaned")


class NoOpenCase(CaseError):
    """The shopper's message has no open case to go to (the case was closed meanwhile)."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no open hand-off for conversation {conversation_id!r}")
        self.conversation_id = conversation_id


class RatingNotAllowed(CaseError):
    """A rating answers a resolution: without a resolved case there is nothing to rate."""

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"no resolved hand-off for conversation {conversation_id!r}")
        self.conversation_id = conversation_id


def get(db: Session, case_id: int) -> Handoff:
    case = db.get(Handoff, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return case


def find_open(db: Session, conversation_id: str) -> Handoff | None:
    return db.scalar(
        select(Handoff).where(
            Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN_STATUSES)
        )
    )


def open_case(db: Session, request: HandoffRequest, now: datetime) -> tuple[Handoff, bool]:
    """(case, created): the conversation's open case when it has one, else a new waiting one.

    Asking twice is not an error: the action server may retry, and a shopper already in the
    queue keeps their place (and their first reason and priority)."""
    existing = find_open(db, request.conversation_id)
    if existing is not None:
        return existing, False
    case = Handoff(
        conversation_id=request.conversation_id,
        channel=request.channel,
        reason=request.reason.value,
        priority=request.priority,
        status=CaseStatus.waiting,
        summary=request.summary.model_dump(mode="json"),
        mood=request.mood,
        created_at=now,
        updated_at=now,
    )
    db.add(case)
    try:
        db.commit()
    except IntegrityError:  # the same conversation raced us: return its case
        db.rollback()
        existing = find_open(db, request.conversation_id)
        if existing is None:
            raise
        return existing, False
    return case, True


def ensure_open(case: Handoff) -> None:
    if not case.is_open:
        raise CaseClosed(case)


def assign(db: Session, case: Handoff, agent: User, now: datetime) -> bool:
    """Give the case to `agent`; False when it was already theirs (a second click)."""
    ensure_open(case)
    if case.status is CaseStatus.assigned:
        if case.assigned_to == agent.id:
            return False
        raise CaseTaken(case)
    case.status, case.assigned_to = CaseStatus.assigned, agent.id
    _note(db, case, "system", f"Pris en charge par {agent.display_name}", now, agent)
    return True


def reply_text(case: Handoff, text: str) -> str:
    """The reply as it will be sent and stored, checked before it goes to the shopper."""
    ensure_open(case)
    text = clean_text(text).strip()
    if not text:
        raise EmptyReply()
    return text


def record_reply(
    db: Session, case: Handoff, agent: User, text: str, now: datetime
) -> HandoffMessage:
    """Store a reply the shopper has been sent. Answering a waiting case takes it: the shopper
    now talks to this agent. A case someone else has stays theirs (a colleague may help)."""
    ensure_open(case)
    if case.status is CaseStatus.waiting:
        case.status, case.assigned_to = CaseStatus.assigned, agent.id
    return _note(db, case, "agent", text, now, agent)


def resolve(db: Session, case: Handoff, agent: User, now: datetime) -> None:
    """Close the case as solved (the bot then asks the shopper for a rating)."""
    _close(db, case, agent, now, CaseStatus.resolved, "Résolu")


def hand_back(db: Session, case: Handoff, agent: User, now: datetime) -> None:
    """Close the case without solving it: the bot takes the conversation back, no rating."""
    _close(db, case, agent, now, CaseStatus.returned, "Rendu au bot")


def _close(
    db: Session, case: Handoff, agent: User, now: datetime, status: CaseStatus, note: str
) -> None:
    ensure_open(case)
    case.status = status
    if status is CaseStatus.resolved:
        case.resolved_at = now
    if case.assigned_to is None:  # whoever closes a waiting case answers for it
        case.assigned_to = agent.id
    _note(db, case, "system", f"{note} par {agent.display_name}", now, agent)


def relay(
    db: Session, conversation_id: str, text: str, now: datetime
) -> tuple[Handoff, HandoffMessage]:
    """A shopper's message, relayed by the bot, onto the conversation's open case."""
    case = find_open(db, conversation_id)
    if case is None:
        raise NoOpenCase(conversation_id)
    return case, _note(db, case, "shopper", text, now)


def rate(db: Session, conversation_id: str, rating: int, now: datetime) -> Handoff:
    """Record the shopper's rating on the conversation's last resolved case (a second rating
    replaces the first). Returned or still open cases are not rated."""
    case = db.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status == CaseStatus.resolved)
        .order_by(Handoff.resolved_at.desc(), Handoff.id.desc())
        .limit(1)
    )
    if case is None:
        raise RatingNotAllowed(conversation_id)
    case.rating, case.rated_at = rating, now
    db.commit()
    return case


def _note(
    db: Session, case: Handoff, sender: str, text: str, now: datetime, author: User | None = None
) -> HandoffMessage:
    """Add a message to the case and commit it with whatever else changed on the case."""
    message = HandoffMessage(
        handoff_id=case.id,
        sender=sender,
        text=clean_text(text),
        at=now,
        author_id=author.id if author else None,
    )
    case.updated_at = now
    db.add(message)
    db.commit()
    return message
