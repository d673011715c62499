"""Where shoppers' data lives outside the back office's cases: Rasa's tracker store, the FAQ
feedback file, and the delay notices' rows (`NoticeRecords`: the orders a conversation follows,
its "stop", its notices). Read and changed from the 3.11 side without Rasa, through the
`events` table as bot/core/tracker_events.py describes it."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.backoffice.db import Attachment, Notice, NoticeStop, NoticeWatch
from bot.backoffice.mail import outbox
from bot.backoffice.notices.queue import forget
from bot.backoffice.tracker_events import events, tracker_engine

from .criteria import Matcher

CHUNK = 500  # ids per IN (…) clause


def like_pattern(term: str) -> str:
    """`%term%` for LIKE … ESCAPE '\\', as the term appears in Rasa's JSON (ASCII-escaped)."""
    encoded = json.dumps(term.lower())[1:-1]
    escaped = encoded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class TrackerStore:
    """The `events` table of Rasa's SQL tracker store at `url` (SQLite or PostgreSQL). A SQLite
    file that does not exist is an empty store (it is never created here)."""

    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def _engine(self) -> Iterator[Engine | None]:
        with tracker_engine(self.url) as engine:
            yield engine

    def find(self, matcher: Matcher, ids: Iterable[str] = ()) -> set[str]:
        """The conversations with an event mentioning a term, plus those of `ids` that exist."""
        found: set[str] = set()
        with self._engine() as engine:
            if engine is None:
                return found
            with engine.connect() as db:
                for batch in chunks(dict.fromkeys(ids)):
                    query = sa.select(events.c.sender_id).where(events.c.sender_id.in_(batch))
                    found.update(db.scalars(query.distinct()))
                if matcher.terms:
                    data = sa.func.lower(events.c.data)
                    query = sa.select(events.c.sender_id, events.c.data).where(
                        sa.or_(*(data.like(like_pattern(t), escape="\\") for t in matcher.terms))
                    )
                    for sender, raw in db.execute(query):
                        if sender not in found and matcher.value(_decode(raw)):
                            found.add(sender)
        return found

    def conversations(self, ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Every event row of these conversations, oldest first, data decoded."""
        rows: dict[str, list[dict[str, Any]]] = {}
        with self._engine() as engine:
            if engine is None:
                return rows
            with engine.connect() as db:
                for batch in chunks(sorted(set(ids))):
                    query = (
                        sa.select(events)
                        .where(events.c.sender_id.in_(batch))
                        .order_by(events.c.sender_id, events.c.id)
                    )
                    for row in db.execute(query).mappings():
                        event = dict(row)
                        event["data"] = _decode(event["data"])
                        rows.setdefault(row["sender_id"], []).append(event)
        return rows

    def delete(self, ids: Iterable[str]) -> int:
        """Delete every row of these conversations; returns the number of rows."""
        deleted = 0
        with self._engine() as engine:
            if engine is None:
                return 0
            with engine.begin() as db:
                scrub_before(db)
                for batch in chunks(sorted(set(ids))):
                    deleted += db.execute(
                        sa.delete(events).where(events.c.sender_id.in_(batch))
                    ).rowcount
            with engine.connect() as db:
                scrub_after(db)
        return deleted

    def idle_since(self, cutoff: float) -> list[str]:
        """Conversations whose last event is older than `cutoff` (Unix time)."""
        with self._engine() as engine:
            if engine is None:
                return []
            with engine.connect() as db:
                query = (
                    sa.select(events.c.sender_id)
                    .group_by(events.c.sender_id)
                    .having(sa.func.max(sa.func.coalesce(events.c.timestamp, 0)) < cutoff)
                )
                return list(db.scalars(query))


def scrub_before(db: sa.Connection) -> None:
    """On SQLite, make the deletions that follow overwrite the deleted rows with zeros (else
    they stay readable in the file's free pages until a VACUUM)."""
    if db.dialect.name == "sqlite":
        db.exec_driver_sql("PRAGMA secure_delete=ON")


def scrub_after(db: sa.Connection) -> None:
    """On SQLite in WAL mode, fold the write-ahead log (which still holds the old pages) back
    into the file and empty it. PostgreSQL reclaims deleted rows with (auto)vacuum."""
    if db.dialect.name == "sqlite":
        db.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _decode(raw: str | None) -> Any:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {"unreadable": raw}


class FeedbackFile:
    """The shoppers' "was this helpful?" answers (JSON lines, actions/feedback.py)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def lines(self) -> list[tuple[str, Any]]:
        """(raw line, decoded line or None) for every line of the file."""
        if not self.path.exists():
            return []
        found = []
        for raw in self.path.read_text(encoding="utf-8").splitlines():
            try:
                found.append((raw, json.loads(raw)))
            except ValueError:
                found.append((raw, None))
        return found

    def of(self, conversations: set[str]) -> list[dict[str, Any]]:
        return [
            line
            for _, line in self.lines()
            if isinstance(line, dict) and line.get("conversation") in conversations
        ]

    def remove(self, drop: Callable[[Any], bool]) -> int:
        """Rewrite the file without the lines `drop` selects, atomically (a new file renamed
        over the old one). A line the bot appended meanwhile makes it start again."""
        for _ in range(10):
            if not self.path.exists():
                return 0
            before = self.path.stat()
            lines = self.lines()
            kept = [raw for raw, line in lines if not drop(line)]
            removed = len(lines) - len(kept)
            if not removed:
                return 0
            partial = self.path.with_name(f".{self.path.name}.{secrets.token_hex(6)}.tmp")
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write("".join(raw + "\n" for raw in kept))
                    handle.flush()
                    os.fsync(handle.fileno())
                after = self.path.stat()
                if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
                    continue  # appended to meanwhile: read it again
                os.replace(partial, self.path)
                return removed
            finally:
                partial.unlink(missing_ok=True)
        raise RuntimeError(f"{self.path} keeps changing: try again")


class NoticeRecords:
    """The delay notices' rows of conversations (bot/backoffice/notices), in the back office's
    database: what an export shows and an erasure deletes. (An erasure recorded in
    forgotten.db is also honoured by the notice worker on its own: it sends nothing to an
    erased conversation and deletes its rows within the hour.)"""

    def __init__(self, backoffice: Callable[[], Session]) -> None:
        self.backoffice = backoffice

    def of(self, conversations: Iterable[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """conversation -> {"watches", "stops", "notices"}, JSON-ready, for these ids."""
        found: dict[str, dict[str, list[dict[str, Any]]]] = {}

        def add(conversation: str, kind: str, row: dict[str, Any]) -> None:
            kinds = found.setdefault(conversation, {"watches": [], "stops": [], "notices": []})
            kinds[kind].append({k: _json(v) for k, v in row.items()})

        with self.backoffice() as db:
            for batch in chunks(sorted(set(conversations))):
                for watch in db.scalars(
                    sa.select(NoticeWatch).where(NoticeWatch.conversation_id.in_(batch))
                ):
                    add(
                        watch.conversation_id,
                        "watches",
                        {
                            "order_number": watch.order_number,
                            "channel": watch.channel,
                            "since": watch.created_at,
                            "until": watch.expires_at,
                        },
                    )
                for stop in db.scalars(
                    sa.select(NoticeStop).where(NoticeStop.conversation_id.in_(batch))
                ):
                    add(stop.conversation_id, "stops", {"at": stop.stopped_at})
                for notice in db.scalars(
                    sa.select(Notice).where(Notice.conversation_id.in_(batch)).order_by(Notice.id)
                ):
                    add(
                        notice.conversation_id,
                        "notices",
                        {
                            "order_number": notice.order_number,
                            "expected_delivery": notice.expected_delivery,
                            "status": notice.status,
                            "reason": notice.reason,
                            "at": notice.created_at,
                            "updated_at": notice.updated_at,
                        },
                    )
        return found

    def delete(self, conversations: Iterable[str]) -> int:
        """Delete every watch, stop and notice of these conversations; returns how many rows."""
        ids = sorted(set(conversations))
        deleted = 0
        with self.backoffice() as db:
            scrub_before(db.connection())
            for batch in chunks(ids):
                deleted += forget(db, batch)
            scrub_after(db.connection())
        return deleted


class AttachmentRecords:
    """The photos shoppers sent from the widget (bot/backoffice/attachments.py): their rows in
    the back office's database and their files in COMPTOIR_ATTACHMENTS_DIR, which go together."""

    def __init__(self, backoffice: Callable[[], Session], folder: Path | None) -> None:
        self.backoffice = backoffice
        self.folder = folder

    def of(self, conversations: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """conversation -> its photos (id, type, size, SHA-256, time), JSON-ready."""
        found: dict[str, list[dict[str, Any]]] = {}
        with self.backoffice() as db:
            for batch in chunks(sorted(set(conversations))):
                for row in db.scalars(
                    sa.select(Attachment)
                    .where(Attachment.conversation_id.in_(batch))
                    .order_by(Attachment.created_at)
                ):
                    found.setdefault(row.conversation_id, []).append(
                        {
                            "id": row.id,
                            "type": row.content_type,
                            "size": row.size,
                            "sha256": row.sha256,
                            "at": _json(row.created_at),
                        }
                    )
        return found

    def delete(self, conversations: Iterable[str]) -> int:
        """Delete the photos of these conversations, rows then files; how many photos."""
        ids: list[str] = []
        with self.backoffice() as db:
            for batch in chunks(sorted(set(conversations))):
                ids += db.scalars(
                    sa.select(Attachment.id).where(Attachment.conversation_id.in_(batch))
                )
            scrub_before(db.connection())
            for batch in chunks(ids):
                db.execute(sa.delete(Attachment).where(Attachment.id.in_(batch)))
            db.commit()
            scrub_after(db.connection())
        for attachment_id in ids:
            if self.folder is not None and attachment_id and "/" not in attachment_id:
                (self.folder / attachment_id).unlink(missing_ok=True)
        return len(ids)


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class MailRecords:
    """The after-hours e-mail replies of conversations (bot/backoffice/mail): the address a
    shopper gave for a case, and the mails of the agents' replies (kept while their link
    works). They also go with their case (ON DELETE CASCADE)."""

    def __init__(self, backoffice: Callable[[], Session]) -> None:
        self.backoffice = backoffice

    def of(self, conversations: Iterable[str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """conversation -> {"email_addresses", "emails"}, JSON-ready."""
        found: dict[str, dict[str, list[dict[str, Any]]]] = {}
        with self.backoffice() as db:
            for batch in chunks(sorted(set(conversations))):
                found.update(outbox.of(db, batch))
        return found

    def conversations_with(self, emails: Iterable[str]) -> set[str]:
        """Conversations whose shopper gave one of these addresses for a reply by e-mail."""
        with self.backoffice() as db:
            return outbox.conversations_with(db, emails)

    def delete(self, conversations: Iterable[str]) -> int:
        deleted = 0
        with self.backoffice() as db:
            scrub_before(db.connection())
            for batch in chunks(sorted(set(conversations))):
                deleted += outbox.forget(db, batch)
            scrub_after(db.connection())
        return deleted
