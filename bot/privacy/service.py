"""Find, export and erase one shopper's data; purge what is past its retention; the audit log.

Everything Comptoir keeps about a shopper: the conversations in Rasa's tracker store, the
back-office cases of those conversations with their relayed messages and rating, and the FAQ
feedback lines of those conversations. A conversation is the shopper's when one of its events
(a message, a slot, an entity) mentions their e-mail or order number, when it was named (id,
Telegram chat id, Messenger PSID), or when a case that mentions them belongs to it.

Each export, erasure and purge writes one row of the audit log (`privacy_audit` in the back
office's database): who, when, what kind, how many items — never the data or the search terms.
"""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.backoffice.analytics.refresh import forget as forget_dashboard_rows
from bot.backoffice.db import CaseNote, Handoff, HandoffMessage, PrivacyAudit, make_engine, utcnow
from bot.core import forgotten
from bot.settings import Settings

from .criteria import Criteria
from .stores import (
    AttachmentRecords,
    FeedbackFile,
    MailRecords,
    NoticeRecords,
    TrackerStore,
    chunks,
    like_pattern,
    scrub_after,
    scrub_before,
)

log = logging.getLogger(__name__)
CLI, BACKOFFICE, SCHEDULE = "cli", "backoffice", "schedule"
SCHEDULER_ACTOR = "planificateur"
LABELS_FR = {
    "conversations": "conversation(s)",
    "events": "événement(s) du tracker",
    "cases": "dossier(s) du back-office",
    "case_messages": "message(s) de dossiers",
    "case_notes": "note(s) privée(s) des conseillers",
    "ratings": "note(s)",
    "feedback": "avis FAQ",
    "audit_entries": "entrée(s) du journal d'audit",
    "forgotten": "effacement(s) anciens oubliés",
    "delay_notices": "suivi(s) et avis de retard de livraison",
    "email_replies": "adresse(s) et e-mail(s) de réponse hors horaires",
    "photos": "photo(s) envoyée(s) par le client",
}
ACTIONS_FR = {"export": "export", "erase": "effacement", "purge": "purge"}


@dataclass
class Stores:
    """The places shoppers' data is kept, as one installation's settings name them."""

    tracker: TrackerStore
    backoffice: sessionmaker  # type: ignore[type-arg]
    feedback: FeedbackFile
    forgotten_db: Path
    engine: Engine | None = None  # the back office's engine, when these stores made it
    attachments_dir: Path | None = None  # the shoppers' photos (bot/backoffice/attachments.py)

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine | None = None) -> Stores:
        own = engine is None
        engine = engine or make_engine(settings.backoffice_db_url)
        return cls(
            tracker=TrackerStore(settings.tracker_url),
            backoffice=sessionmaker(engine, expire_on_commit=False),
            feedback=FeedbackFile(settings.faq_feedback_file),
            forgotten_db=settings.forgotten_db,
            engine=engine if own else None,
            attachments_dir=Path(settings.attachments_dir),
        )

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


@dataclass
class Findings:
    criteria: Criteria
    conversations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    cases: list[Handoff] = field(default_factory=list)
    feedback: list[dict[str, Any]] = field(default_factory=list)
    # conversation -> its followed orders, "stop" and delay notices (bot/backoffice/notices)
    notices: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    # conversation -> the photos the shopper sent from the widget (bot/backoffice/attachments.py)
    photos: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # conversation -> its reply address and reply e-mails (bot/backoffice/mail)
    mail: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(
            (self.conversations, self.cases, self.feedback, self.notices, self.photos, self.mail)
        )

    @property
    def conversation_ids(self) -> list[str]:
        return sorted(
            set(self.conversations)
            | {c.conversation_id for c in self.cases}
            | set(self.notices)
            | set(self.photos)
            | set(self.mail)
        )

    def counts(self) -> dict[str, int]:
        return {
            "conversations": len(self.conversation_ids),
            "events": sum(len(rows) for rows in self.conversations.values()),
            "cases": len(self.cases),
            "case_messages": sum(len(c.messages) for c in self.cases),
            "case_notes": sum(len(c.notes) for c in self.cases),
            "ratings": sum(1 for c in self.cases if c.rating is not None),
            "feedback": len(self.feedback),
            "delay_notices": sum(len(n["notices"]) for n in self.notices.values()),
            "photos": sum(len(p) for p in self.photos.values()),
            "email_replies": sum(len(r) for m in self.mail.values() for r in m.values()),
        }

    def summary(self) -> list[dict[str, Any]]:
        """One line per conversation for an operator's screen: id, channel, dates, sizes."""
        lines = []
        for conversation in self.conversation_ids:
            rows = self.conversations.get(conversation, [])
            stamps = [r["timestamp"] for r in rows if r.get("timestamp")]
            cases = [c for c in self.cases if c.conversation_id == conversation]
            lines.append(
                {
                    "id": conversation,
                    "channel": channel_of(conversation),
                    "first": _time(min(stamps)) if stamps else None,
                    "last": _time(max(stamps)) if stamps else None,
                    "messages": sum(1 for r in rows if r["type_name"] in ("user", "bot")),
                    "cases": len(cases),
                    "case_messages": sum(len(c.messages) for c in cases),
                    "feedback": sum(
                        1 for f in self.feedback if f.get("conversation") == conversation
                    ),
                }
            )
        return lines


def channel_of(conversation: str) -> str:
    for prefix, name in (("telegram-", "Telegram"), ("messenger-", "Messenger")):
        if conversation.startswith(prefix):
            return name
    return "web"


def _time(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def find(stores: Stores, criteria: Criteria) -> Findings:
    """Everything kept about the shopper these criteria name (see the module's docstring)."""
    matcher = criteria.matcher()
    ids = stores.tracker.find(matcher, criteria.conversations)
    ids |= MailRecords(stores.backoffice).conversations_with(criteria.emails)
    with stores.backoffice() as db:
        cases = _cases(db, matcher.terms, set(ids) | set(criteria.conversations), matcher)
    ids |= {c.conversation_id for c in cases}
    with stores.backoffice() as db:  # the cases of conversations found through another case
        cases = _cases(db, (), ids, matcher)
    return Findings(
        criteria,
        conversations=stores.tracker.conversations(ids),
        cases=cases,
        feedback=stores.feedback.of(ids),
        notices=NoticeRecords(stores.backoffice).of(ids),
        # a named conversation's photos, even if the tracker no longer holds it
        photos=AttachmentRecords(stores.backoffice, stores.attachments_dir).of(
            ids | set(criteria.conversations)
        ),
        mail=MailRecords(stores.backoffice).of(ids),
    )


def _cases(db: Session, terms: tuple[str, ...], ids: set[str], matcher: Any) -> list[Handoff]:
    found: dict[int, Handoff] = {}
    for batch in chunks(sorted(ids)):
        for case in db.scalars(select(Handoff).where(Handoff.conversation_id.in_(batch))):
            found[case.id] = case
    if terms:
        summary = func.lower(cast(Handoff.summary, Text))
        text = func.lower(HandoffMessage.text)
        candidates = db.scalars(
            select(Handoff)
            .outerjoin(HandoffMessage, HandoffMessage.handoff_id == Handoff.id)
            .where(
                or_(
                    *(summary.like(like_pattern(t), escape="\\") for t in terms),
                    *(text.like(f"%{_escape(t.lower())}%", escape="\\") for t in terms),
                )
            )
        ).unique()
        for case in candidates:
            if case.id not in found and (
                matcher.value(case.summary) or any(matcher.text(m.text) for m in case.messages)
            ):
                found[case.id] = case
    return sorted(found.values(), key=lambda c: c.id)


def _escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def export_data(findings: Findings, now: datetime | None = None) -> dict[str, Any]:
    """The shopper's data as one JSON-ready document: every message of every conversation (and
    the raw events), the cases with their messages and rating, the feedback."""
    conversations = []
    for conversation in findings.conversation_ids:
        rows = findings.conversations.get(conversation, [])
        messages = []
        for row in rows:
            data = row["data"] if isinstance(row["data"], dict) else {}
            if row["type_name"] in ("user", "bot"):
                messages.append(
                    {
                        "at": _iso(row.get("timestamp")),
                        "from": "shopper" if row["type_name"] == "user" else "assistant",
                        "text": data.get("text"),
                        **({"buttons": data["data"]["buttons"]} if _buttons(data) else {}),
                    }
                )
        conversations.append(
            {
                "id": conversation,
                "channel": channel_of(conversation),
                "messages": messages,
                **findings.notices.get(conversation, {}),
                **findings.mail.get(conversation, {}),
                **(
                    {"photos": findings.photos[conversation]}
                    if conversation in findings.photos
                    else {}
                ),
                "events": [
                    {"at": _iso(r.get("timestamp")), "type": r["type_name"], "data": r["data"]}
                    for r in rows
                ],
            }
        )
    return {
        "format": "comptoir-personal-data/1",
        "generated_at": (now or utcnow()).isoformat(timespec="seconds"),
        "conversations": conversations,
        "cases": [_case(c) for c in findings.cases],
        "faq_feedback": findings.feedback,
    }


def _buttons(data: dict[str, Any]) -> bool:
    extra = data.get("data")
    return isinstance(extra, dict) and bool(extra.get("buttons"))


def _iso(value: float | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        value = _time(value)
    return value.isoformat(timespec="seconds")


def _case(case: Handoff) -> dict[str, Any]:
    return {
        "id": case.id,
        "conversation_id": case.conversation_id,
        "channel": case.channel,
        "reason": case.reason,
        "status": case.status.value,
        "mood": case.mood,
        "summary": case.summary,
        "created_at": _iso(case.created_at),
        "resolved_at": _iso(case.resolved_at),
        "rating": case.rating,
        "rated_at": _iso(case.rated_at),
        "messages": [{"at": _iso(m.at), "from": m.sender, "text": m.text} for m in case.messages],
        # the team's private notes about the shopper (bot/backoffice/case_tools.py)
        "notes": [{"at": _iso(n.at), "text": n.text} for n in case.notes],
    }


def erase(stores: Stores, findings: Findings) -> dict[str, int]:
    """Delete everything `findings` holds; the erased conversation ids are recorded (hashed)
    for the widget (bot/core/forgotten.py). Returns what was deleted, by kind."""
    ids = set(findings.conversation_ids)
    counts = {"conversations": len(ids), "events": stores.tracker.delete(ids)}
    # before the cases: their rows would go with them (ON DELETE CASCADE), uncounted
    counts["email_replies"] = MailRecords(stores.backoffice).delete(ids)
    case_ids = [c.id for c in findings.cases]
    with stores.backoffice() as db:
        scrub_before(db.connection())
        messages = cases = notes = 0
        for batch in chunks(case_ids):
            notes += db.execute(delete(CaseNote).where(CaseNote.handoff_id.in_(batch))).rowcount
            messages += db.execute(
                delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(batch))
            ).rowcount
            cases += db.execute(delete(Handoff).where(Handoff.id.in_(batch))).rowcount
        db.commit()
        scrub_after(db.connection())
    notice_rows = NoticeRecords(stores.backoffice).delete(ids)
    _forget_dashboard_rows(stores, ids)
    photos = AttachmentRecords(stores.backoffice, stores.attachments_dir).delete(ids)
    counts.update(
        cases=cases,
        case_messages=messages,
        case_notes=notes,
        ratings=sum(1 for c in findings.cases if c.rating is not None),
        feedback=stores.feedback.remove(
            lambda line: isinstance(line, dict) and line.get("conversation") in ids
        ),
        delay_notices=notice_rows,
        photos=photos,
    )
    forgotten.record(ids, stores.forgotten_db)
    return counts


def _forget_dashboard_rows(stores: Stores, conversations: Any) -> None:
    """The dashboard's rows of these conversations (bot/backoffice/analytics): a copy made from
    the tracker store, deleted with it; not counted apart (the events are)."""
    with stores.backoffice() as db:
        forget_dashboard_rows(db, conversations)
        db.commit()


@dataclass(frozen=True)
class Retention:
    conversations_days: int
    cases_days: int
    feedback_days: int
    audit_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(
            settings.retention_conversations_days,
            settings.retention_cases_days,
            settings.retention_feedback_days,
            settings.retention_audit_days,
        )


def purge(
    stores: Stores, retention: Retention, now: datetime | None = None, dry_run: bool = False
) -> dict[str, int]:
    """Delete what has been idle longer than its retention: whole conversations by their last
    event, closed cases (with their messages and rating) by their last activity, feedback lines
    and audit entries by their time. Open cases are kept whatever their age."""
    now = now or utcnow()
    counts: dict[str, int] = {}

    conversation_cutoff = (now - timedelta(days=retention.conversations_days)).timestamp()
    idle = stores.tracker.idle_since(conversation_cutoff)
    counts["conversations"] = len(idle)
    notices = NoticeRecords(stores.backoffice)  # followed orders and notices go with them
    photos = AttachmentRecords(stores.backoffice, stores.attachments_dir)
    if dry_run:
        counts["delay_notices"] = sum(
            len(rows) for kinds in notices.of(idle).values() for rows in kinds.values()
        )
        counts["photos"] = sum(len(rows) for rows in photos.of(idle).values())
        counts["email_replies"] = sum(
            len(rows)
            for kinds in MailRecords(stores.backoffice).of(idle).values()
            for rows in kinds.values()
        )
    else:
        counts["events"] = stores.tracker.delete(idle)
        counts["delay_notices"] = notices.delete(idle)
        _forget_dashboard_rows(stores, idle)
        counts["photos"] = photos.delete(idle)
        counts["email_replies"] = MailRecords(stores.backoffice).delete(idle)

    case_cutoff = now - timedelta(days=retention.cases_days)
    audit_cutoff = now - timedelta(days=retention.audit_days)
    with stores.backoffice() as db:
        old = [
            case
            for case in db.scalars(select(Handoff).where(Handoff.updated_at < case_cutoff))
            if not case.is_open and _last_activity(case) < case_cutoff
        ]
        counts["cases"] = len(old)
        counts["case_messages"] = sum(len(c.messages) for c in old)
        counts["case_notes"] = sum(len(c.notes) for c in old)
        counts["audit_entries"] = int(
            db.scalar(select(func.count()).where(PrivacyAudit.at < audit_cutoff)) or 0
        )
        if not dry_run:
            scrub_before(db.connection())
            for batch in chunks([c.id for c in old]):
                db.execute(delete(CaseNote).where(CaseNote.handoff_id.in_(batch)))
                db.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(batch)))
                db.execute(delete(Handoff).where(Handoff.id.in_(batch)))
            db.execute(delete(PrivacyAudit).where(PrivacyAudit.at < audit_cutoff))
            db.commit()
            scrub_after(db.connection())

    feedback_cutoff = now - timedelta(days=retention.feedback_days)
    too_old = _older_than(feedback_cutoff)
    if dry_run:
        counts["feedback"] = sum(1 for _, line in stores.feedback.lines() if too_old(line))
    else:
        counts["feedback"] = stores.feedback.remove(too_old)
        # The erased ids serve the widget's next visit; kept as long as the audit log.
        counts["forgotten"] = forgotten.drop_before(audit_cutoff.timestamp(), stores.forgotten_db)
    return counts


def _last_activity(case: Handoff) -> datetime:
    times = [case.updated_at, case.resolved_at, case.rated_at]
    times += [m.at for m in case.messages] + [n.at for n in case.notes]
    return max(t for t in times if t is not None)


def _older_than(cutoff: datetime) -> Callable[[Any], bool]:
    def old(line: Any) -> bool:
        if not isinstance(line, dict):
            return False
        try:
            at = datetime.fromisoformat(str(line.get("at")))
        except ValueError:
            return False
        if at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        return at < cutoff

    return old


def audit(
    stores: Stores,
    action: str,
    actor: str,
    origin: str,
    counts: dict[str, int],
    criteria: Criteria | None = None,
    now: datetime | None = None,
) -> None:
    """One row of the audit log: who, when, what kind, how many — never the data itself."""
    with stores.backoffice() as db:
        db.add(
            PrivacyAudit(
                at=now or utcnow(),
                actor=actor[:254],
                origin=origin,
                action=action,
                criteria=criteria.kinds if criteria else "",
                counts={k: int(v) for k, v in counts.items()},
            )
        )
        db.commit()


def recent_audit(stores: Stores, limit: int = 50) -> list[PrivacyAudit]:
    with stores.backoffice() as db:
        return list(db.scalars(select(PrivacyAudit).order_by(PrivacyAudit.id.desc()).limit(limit)))


def os_user() -> str:
    """Who runs the command, as the operating system knows them."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in this environment
        return "inconnu"
