"""Reading Rasa's SQL tracker store from the 3.11 side, without Rasa: the `events` table
(SQLite or PostgreSQL) as Rasa 3.6's `SQLTrackerStore` writes it, one row per event with its
JSON in `data`. The dashboard, the unanswered-questions list and the privacy tools read it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

metadata = sa.MetaData()
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass(frozen=True)
class TrackerEvent:
    """One row of the table; `data` is Rasa's event dictionary (`event`, `timestamp`, `text`,
    `parse_data`, `name`, `value`, `metadata`, …), `{}` when the row holds none."""

    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]


@contextmanager
def tracker_engine(url: str) -> Iterator[Engine | None]:
    """An engine on the tracker store at `url`, or None when there is no store yet (a SQLite
    file that does not exist is never created here, and a database without `events` is
    empty)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or not Path(path).exists():
            yield None
            return
        engine = sa.create_engine(url, connect_args={"timeout": 15})
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    try:
        yield engine if sa.inspect(engine).has_table("events") else None
    finally:
        engine.dispose()


def decode(row: Any) -> TrackerEvent:
    try:
        data = json.loads(row.data) if row.data else {}
    except ValueError:  # a row Rasa did not write: keep the columns, not the body
        data = {}
    return TrackerEvent(
        id=row.id,
        sender_id=row.sender_id,
        type_name=row.type_name,
        timestamp=float(row.timestamp or 0.0),
        intent_name=row.intent_name,
        action_name=row.action_name,
        data=data if isinstance(data, dict) else {},
    )


def read_after(engine: Engine, after_id: int = 0, limit: int = 5000) -> list[TrackerEvent]:
    """Up to `limit` events with an id above `after_id`, in id order: read the table in
    batches, remembering the last id, and no event is read twice or missed."""
    query = sa.select(events).where(events.c.id > after_id).order_by(events.c.id).limit(limit)
    with engine.connect() as connection:
        return [decode(row) for row in connection.execute(query)]


def read_conversations(engine: Engine, sender_ids: list[str]) -> dict[str, list[TrackerEvent]]:
    """All events of the given conversations, each list in id order."""
    found: dict[str, list[TrackerEvent]] = {sender: [] for sender in sender_ids}
    if not sender_ids:
        return found
    query = (
        sa.select(events)
        .where(events.c.sender_id.in_(sender_ids))
        .order_by(events.c.sender_id, events.c.id)
    )
    with engine.connect() as connection:
        for row in connection.execute(query):
            found[row.sender_id].append(decode(row))
    return found
