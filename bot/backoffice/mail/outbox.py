"""The e-mail addresses of cases and the outbox of the agents' replies, in the back office's
database so that a restart loses nothing and every back-office process sees the same rows.

Same discipline as the delay notices' queue (bot/backoffice/notices/queue.py): a row is claimed
by a conditional UPDATE with a lease before it is sent, so two workers never send it together;
a row whose lease ran out (its worker died mid-send) is claimed again. Delivery is therefore
at least once: a worker that dies between the SMTP server's "250 OK" and the UPDATE that
follows makes the next one send the mail again, which beats losing an agent's reply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.settings import Settings

from ..db import EmailContact, Handoff, MailOutbox

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
LEASE = timedelta(minutes=5)  # longer than any send (smtp_timeout is seconds)
SEPARATOR = "\n\n"


def _count(db: Session, statement: Executable) -> int:
    return int(cast(CursorResult[Any], db.execute(statement)).rowcount or 0)


# ------------------------------------------------------------------ the case's address
def contact_of(db: Session, handoff_id: int) -> EmailContact | None:
    return db.scalar(select(EmailContact).where(EmailContact.handoff_id == handoff_id))


def set_contact(db: Session, case: Handoff, email: str, now: datetime) -> EmailContact:
    """The address for this case's replies (a second one given for the same case replaces
    the first)."""
    row = contact_of(db, case.id)
    if row is None:
        row = EmailContact(
            handoff_id=case.id, conversation_id=case.conversation_id, email=email, created_at=now
        )
        db.add(row)
    else:
        row.email, row.created_at = email, now
    db.commit()
    return row


# ------------------------------------------------------------------ the outbox
def queue_reply(
    db: Session, case: Handoff, agent_name: str, text: str, now: datetime, settings: Settings
) -> MailOutbox | None:
    """Queue an agent's reply for the case's address, if the shopper gave one. A reply of the
    same agent while the previous one still waits (mail_group_seconds) joins it: one mail."""
    contact = contact_of(db, case.id)
    if contact is None:
        return None
    waiting = db.scalar(
        select(MailOutbox)
        .where(
            MailOutbox.handoff_id == case.id,
            MailOutbox.status == QUEUED,
            MailOutbox.attempts == 0,
            MailOutbox.agent_name == agent_name[:100],
            MailOutbox.email == contact.email,
        )
        .order_by(MailOutbox.id.desc())
    )
    if waiting is not None:
        appended = _count(
            db,
            update(MailOutbox)
            .where(MailOutbox.id == waiting.id, MailOutbox.status == QUEUED)
            .values(text=MailOutbox.text + SEPARATOR + text, updated_at=now),
        )
        db.commit()
        if appended:
            return db.get(MailOutbox, waiting.id, populate_existing=True)
    row = MailOutbox(
        handoff_id=case.id,
        conversation_id=case.conversation_id,
        email=contact.email,
        agent_name=agent_name[:100],
        text=text,
        status=QUEUED,
        attempts=0,
        next_try_at=now + timedelta(seconds=settings.mail_group_seconds),
        link_expires_at=now + timedelta(days=settings.mail_link_days),
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.commit()
    return row


def _due(now: datetime) -> Any:
    return or_(
        and_(MailOutbox.status.in_((QUEUED, FAILED)), MailOutbox.next_try_at <= now),
        and_(MailOutbox.status == SENDING, MailOutbox.claimed_until < now),
    )


def due(db: Session, now: datetime, limit: int = 50) -> Sequence[int]:
    """Ids of mails to send now: queued or to retry and due, or left mid-send."""
    return list(
        db.scalars(select(MailOutbox.id).where(_due(now)).order_by(MailOutbox.id).limit(limit))
    )


def claim(db: Session, row_id: int, now: datetime) -> MailOutbox | None:
    """The row, if this worker took it (conditional UPDATE), else None."""
    taken = _count(
        db,
        update(MailOutbox)
        .where(MailOutbox.id == row_id, _due(now))
        .values(
            status=SENDING,
            claimed_until=now + LEASE,
            attempts=MailOutbox.attempts + 1,
            updated_at=now,
        ),
    )
    db.commit()
    return db.get(MailOutbox, row_id, populate_existing=True) if taken else None


def sent(db: Session, row: MailOutbox, now: datetime) -> None:
    db.execute(
        update(MailOutbox)
        .where(MailOutbox.id == row.id, MailOutbox.status == SENDING)
        .values(status=SENT, sent_at=now, next_try_at=None, claimed_until=None, updated_at=now)
    )
    db.commit()


def failed(
    db: Session,
    row: MailOutbox,
    now: datetime,
    error: str,
    retry_after: float,
    max_attempts: int,
    permanent: bool = False,
) -> bool:
    """Record a failed try: retried after `retry_after` × 2^(tries-1) seconds, given up after
    `max_attempts` tries or at once when the server refused for good. True when retried."""
    again = not permanent and row.attempts < max_attempts
    delay = timedelta(seconds=retry_after * 2 ** max(row.attempts - 1, 0))
    db.execute(
        update(MailOutbox)
        .where(MailOutbox.id == row.id, MailOutbox.status == SENDING)
        .values(
            status=FAILED,
            next_try_at=now + delay if again else None,
            claimed_until=None,
            last_error=error[:200],
            updated_at=now,
        )
    )
    db.commit()
    return again


def linked(db: Session, row_id: int) -> MailOutbox | None:
    """The row a link names, if it still exists."""
    return db.get(MailOutbox, row_id)


def sweep(db: Session, now: datetime) -> int:
    """Rows whose link has expired and that will not be sent again: the agent's words are not
    kept here longer than the link that shows them."""
    deleted = _count(
        db,
        delete(MailOutbox).where(
            MailOutbox.link_expires_at <= now,
            or_(
                MailOutbox.status == SENT,
                and_(MailOutbox.status == FAILED, MailOutbox.next_try_at.is_(None)),
            ),
        ),
    )
    db.commit()
    return deleted


# ------------------------------------------------------------------ privacy (bot/privacy)
def of(db: Session, conversations: Iterable[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """conversation -> {"email_addresses", "emails"}, JSON-ready."""
    ids = sorted(set(conversations))
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    if not ids:
        return found

    def kinds(conversation: str) -> dict[str, list[dict[str, Any]]]:
        return found.setdefault(conversation, {"email_addresses": [], "emails": []})

    for contact in db.scalars(
        select(EmailContact).where(EmailContact.conversation_id.in_(ids)).order_by(EmailContact.id)
    ):
        kinds(contact.conversation_id)["email_addresses"].append(
            {
                "case": contact.handoff_id,
                "email": contact.email,
                "at": contact.created_at.isoformat(),
            }
        )
    for row in db.scalars(
        select(MailOutbox).where(MailOutbox.conversation_id.in_(ids)).order_by(MailOutbox.id)
    ):
        kinds(row.conversation_id)["emails"].append(
            {
                "case": row.handoff_id,
                "to": row.email,
                "from_agent": row.agent_name,
                "text": row.text,
                "status": row.status,
                "at": row.created_at.isoformat(),
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
            }
        )
    return found


def conversations_with(db: Session, addresses: Iterable[str]) -> set[str]:
    """Conversations whose case has one of these addresses (a search by e-mail)."""
    wanted = {a.strip().lower() for a in addresses if "@" in a}
    if not wanted:
        return set()
    found: set[str] = set()
    for model in (EmailContact, MailOutbox):
        found.update(
            db.scalars(
                select(model.conversation_id).where(func.lower(model.email).in_(sorted(wanted)))
            )
        )
    return found


def forget(db: Session, conversations: Iterable[str]) -> int:
    """Delete the addresses and mails of these conversations; returns how many rows."""
    ids = sorted(set(conversations))
    if not ids:
        return 0
    count = _count(db, delete(MailOutbox).where(MailOutbox.conversation_id.in_(ids)))
    count += _count(db, delete(EmailContact).where(EmailContact.conversation_id.in_(ids)))
    db.commit()
    return count
