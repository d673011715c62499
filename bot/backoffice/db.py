"""Storage of the back office: SQLAlchemy 2 models, engine and Alembic migrations.

SQLite by default (one file under var/), PostgreSQL (`postgresql+psycopg://…`) to scale. Dates
are stored as naive UTC and read back as aware UTC on both engines (`UTCDateTime`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker
from sqlalchemy.types import TypeDecorator

from bot.core.handoff import OPEN_STATUSES, CaseStatus

HERE = Path(__file__).resolve().parent
ALEMBIC_INI = HERE / "alembic.ini"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=timezone.utc) if value is not None else None


class StatusText(TypeDecorator[CaseStatus]):
    """A case's status as the plain VARCHAR it has always been, read back as `CaseStatus`
    (an SQL enum type would have needed a migration, and a native one on PostgreSQL)."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: CaseStatus | str | None, dialect: Dialect) -> str | None:
        return None if value is None else CaseStatus(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> CaseStatus | None:
        return None if value is None else CaseStatus(value)


class Role(str, enum.Enum):
    agent = "agent"
    editor = "editor"
    manager = "manager"  # the shop owner: the dashboard (issue 15)
    admin = "admin"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # An admin reset the password (users page): « Mon compte » only, until a new one is chosen.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    last_seen: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        # One open (waiting/assigned) hand-off per conversation, enforced by the database too.
        # The condition spells OPEN_STATUSES as migration 0001 created it (a test compares them).
        Index(
            "uq_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'assigned')"),
            postgresql_where=text("status IN ('waiting', 'assigned')"),
        ),
        Index("ix_handoffs_status_priority", "status", "priority", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(String(20))
    priority: Mapped[int] = mapped_column(Integer)
    status: Mapped[CaseStatus] = mapped_column(StatusText(), default=CaseStatus.waiting)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    mood: Mapped[str | None] = mapped_column(String(50), default=None)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)

    agent: Mapped[User | None] = relationship(lazy="joined")
    messages: Mapped[list[HandoffMessage]] = relationship(
        back_populates="handoff", order_by="HandoffMessage.id", lazy="selectin"
    )
    # The team's private notes (never shown to the shopper, never sent to Rasa); the database
    # deletes them with their case (ON DELETE CASCADE), whoever deletes the case.
    notes: Mapped[list[CaseNote]] = relationship(
        order_by="CaseNote.id", lazy="selectin", viewonly=True
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class HandoffMessage(Base):
    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    sender: Mapped[str] = mapped_column(String(10))  # shopper | agent | system
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    handoff: Mapped[Handoff] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(lazy="joined")


class CaseNote(Base):
    """A private note of the team on a case: beside the transcript, for agents only. It is
    personal data (it talks about a shopper): exported and erased with its case (bot/privacy)."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class CannedReply(Base):
    """A reply the team wrote once and inserts often, shared by every agent. Its text may hold
    the variables {prenom} and {commande}, filled from the case when it is inserted."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100), unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[User | None] = relationship(foreign_keys=[updated_by], lazy="joined")


class FaqChange(Base):
    __tablename__ = "faq_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(10))  # create | update | delete
    entry_id: Mapped[str] = mapped_column(String(100), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    version: Mapped[str | None] = mapped_column(String(20), default=None)

    user: Mapped[User | None] = relationship(lazy="joined")


class UserSession(Base):
    """A logged-in browser. The cookie carries a random token; only its SHA-256 is stored, so
    deleting the row (logout, password change, deactivation) ends the session for good."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token) in hex
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LoginFailure(Base):
    """A login attempt that did not succeed (yet): counted per account and per client address,
    in the database so that every back-office process sees the same counts. Both keys are
    keyed hashes: no e-mail (or password typed in the e-mail field) and no address is kept."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_at", "account", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


class PrivacyAudit(Base):
    """One export, erasure or purge of shoppers' data (bot/privacy): who, when, what kind and
    how many items — never the data nor the search terms (only their kinds: "email", "order"…)."""

    __tablename__ = "privacy_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(254))  # admin's e-mail, OS user, "planificateur"
    origin: Mapped[str] = mapped_column(String(20))  # backoffice | cli | schedule
    action: Mapped[str] = mapped_column(String(20))  # export | erase | purge
    criteria: Mapped[str] = mapped_column(String(100), default="")  # kinds, e.g. "email,order"
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class PrivacySchedule(Base):
    """When a scheduled job (the retention purge) last ran, so that a restart neither skips
    nor repeats it, and two back-office processes do not both run it."""

    __tablename__ = "privacy_schedule"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(default=None)


class NoticeWatch(Base):
    """A shopper proved they own this order in this conversation: a delay of the order is
    announced to them (bot/backoffice/notices), until `expires_at`."""

    __tablename__ = "notice_watches"
    __table_args__ = (UniqueConstraint("conversation_id", "order_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    order_number: Mapped[str] = mapped_column(String(100), index=True)
    channel: Mapped[str] = mapped_column(String(50))  # as the action server saw it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class NoticeStop(Base):
    """The shopper said "stop": no notice to this conversation, whatever it watches, until the
    shopper explicitly asks for them again."""

    __tablename__ = "notice_stops"

    conversation_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    stopped_at: Mapped[datetime] = mapped_column(index=True)


class Notice(Base):
    """One delay notice to one conversation: queued -> sending -> sent | skipped | failed.
    Unique per (conversation, order, event): a delay delivered twice makes one notice."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("conversation_id", "order_number", "event_id"),
        Index("ix_notices_status_next_try_at", "status", "next_try_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    order_number: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str] = mapped_column(String(255))
    expected_delivery: Mapped[date | None] = mapped_column(default=None)
    channel: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    reason: Mapped[str | None] = mapped_column(String(30), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Dashboard (issue 15, bot/backoffice/analytics): one row per conversation (a Rasa session),
# copied from the tracker store and the cases, so that figures over 100,000 conversations are
# one SQL aggregate. Rebuilt from its sources at will: nothing here is the only copy.


class ConversationFact(Base):
    """One conversation (a Rasa session of one sender): what the dashboard counts. No text."""

    __tablename__ = "conversation_facts"
    __table_args__ = (
        UniqueConstraint("conversation_id", "session_start"),
        Index("ix_conversation_facts_day_channel", "local_day", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    session_start: Mapped[int] = mapped_column(Integer)  # id of the session's first event
    channel: Mapped[str] = mapped_column(String(50))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime] = mapped_column()
    local_day: Mapped[date] = mapped_column()  # started_at's day in settings.support_timezone
    user_messages: Mapped[int] = mapped_column(Integer, default=0)
    handoffs: Mapped[int] = mapped_column(Integer, default=0)
    handoff_reason: Mapped[str | None] = mapped_column(String(20), default=None)
    case_id: Mapped[int | None] = mapped_column(Integer, default=None)
    case_status: Mapped[str | None] = mapped_column(String(20), default=None)
    first_response_s: Mapped[float | None] = mapped_column(Float, default=None)
    resolution_s: Mapped[float | None] = mapped_column(Float, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
    came_back: Mapped[bool] = mapped_column(Boolean, default=False)
    rating_questions: Mapped[int] = mapped_column(Integer, default=0)
    ratings: Mapped[int] = mapped_column(Integer, default=0)
    ratings_good: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    kb_answers: Mapped[int] = mapped_column(Integer, default=0)
    kb_helpful: Mapped[int] = mapped_column(Integer, default=0)
    kb_unhelpful: Mapped[int] = mapped_column(Integer, default=0)
    fallbacks: Mapped[int] = mapped_column(Integer, default=0)


class ConversationCount(Base):
    """How often one intent (kind "intent") or knowledge-base topic (kind "kb") occurred in one
    conversation: the intents by volume and the top topics."""

    __tablename__ = "conversation_counts"
    __table_args__ = (Index("ix_conversation_counts_local_day", "local_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    session_start: Mapped[int] = mapped_column(Integer)
    local_day: Mapped[date] = mapped_column()
    channel: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer, default=0)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful: Mapped[int] = mapped_column(Integer, default=0)


class DailyCount(Base):
    """`conversation_counts` summed per day, channel, kind and name (no conversation id): the
    top intents and topics of a range read a few thousand rows, not a million."""

    __tablename__ = "conversation_counts_daily"
    __table_args__ = (Index("ix_conversation_counts_daily_kind_day", "kind", "local_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    local_day: Mapped[date] = mapped_column()
    channel: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(255))
    n: Mapped[int] = mapped_column(Integer, default=0)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    unhelpful: Mapped[int] = mapped_column(Integer, default=0)


class DashboardCursor(Base):
    """How far the copy has read: the last tracker event id, the last case change seen."""

    __tablename__ = "dashboard_cursor"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    cases_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    refreshed_at: Mapped[datetime | None] = mapped_column(default=None)


# --- Photos attached by shoppers (issue 19, bot/backoffice/attachments.py) -----------------
class Attachment(Base):
    """A photo a shopper sent from the widget: the file lives in COMPTOIR_ATTACHMENTS_DIR under
    a random name (`id`), never in a web root; the row says whose it is and what it is. It is
    personal data of the conversation: found, exported, erased and purged with it."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, also the file name
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    content_type: Mapped[str] = mapped_column(String(50))  # from the bytes, not the browser
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


# After-hours replies by e-mail (issue 19, bot/backoffice/mail): the address a shopper gave for
# a case, and the outbox of the agents' replies mailed to it. Both go with their case (ON DELETE
# CASCADE) and with their conversation (bot/privacy).
class EmailContact(Base):
    """The shopper agreed to receive this case's replies by e-mail too, at this address."""

    __tablename__ = "email_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), unique=True
    )
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MailOutbox(Base):
    """One e-mail of an agent's reply(ies): queued -> sending -> sent | failed. Kept after it
    is sent while its link back to the conversation works (the link names this row)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_next_try_at", "status", "next_try_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(
        ForeignKey("handoffs.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    email: Mapped[str] = mapped_column(String(254))
    agent_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    link_expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets a busy timeout, WAL and foreign keys."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_sessionmaker(engine: Engine) -> sessionmaker:  # type: ignore[type-arg]
    return sessionmaker(engine, expire_on_commit=False)


def migrate(url: str, revision: str = "head") -> None:
    """`alembic upgrade head` on the database at `url` (what start-up and `migrate` run)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(HERE / "migrations"))
    config.attributes["url"] = url
    command.upgrade(config, revision)
