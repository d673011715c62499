"""Rasa's SQL tracker store without re-reading the whole conversation on every turn.

Rasa 3.6's `SQLTrackerStore.retrieve` loads and JSON-decodes every event of the current
session on each message: at turn 200 (about 1,100 events) that is a quarter of the turn.
This store keeps each conversation's decoded events in memory (an LRU of `cache_size`
conversations) and asks the database only for rows newer than the last one it knows
(`id > last_id`). Rows are still written by Rasa's own `save`, so the database stays the
single source of truth, and several Rasa processes sharing it stay correct: a row another
process wrote is simply one of the "newer rows".

The latest message's sentence embedding (bot/core/query_vector.py) is dropped before a save.
Used from endpoints.yml (`type: bot.rasa.tracker_store.CachedSQLTrackerStore`); runs inside the
Rasa server (.venv-rasa). Rasa never deletes or rewrites event rows; a tool that does must
restart the Rasa server (or the conversation is served from the cache). Written against Rasa
3.6.21's SQLTrackerStore: on a Rasa upgrade, re-run tests/rasa/test_speedups.py."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, UserUttered, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.query_vector import KEY as TEXT_VECTOR


@dataclass
class _Session:
    last_id: int  # highest events.id of this conversation known to be in `events`
    events: list[Event]  # the current session's events, as Rasa's retrieve() would return


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, domain: Domain | None = None, cache_size: int = 256, **kwargs: Any) -> None:
        super().__init__(domain=domain, **kwargs)
        self.cache_size = int(cache_size)
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        known = self._sessions.get(sender_id)
        event = self.SQLEvent
        with self.session_scope() as session:
            if known is not None:
                # From the last row we know, included: if it is gone, the conversation was
                # erased or purged (bot/privacy) and the copy in memory must not come back.
                rows = (
                    session.query(event)
                    .filter(event.sender_id == sender_id, event.id >= known.last_id)
                    .order_by(event.id)
                    .with_entities(event.id, event.type_name, event.data)
                    .all()
                )
                if known.last_id and (not rows or rows[0].id != known.last_id):
                    self._sessions.pop(sender_id, None)
                    known = None
                else:
                    rows = [row for row in rows if row.id > known.last_id]
            if known is None:  # Rasa's own query: the latest session's rows
                query = self._event_query(session, sender_id, False)
                rows = query.with_entities(event.id, event.type_name, event.data).all()
        events = list(known.events) if known else []
        for row in rows:
            if row.type_name == SessionStarted.type_name:
                events = []  # what Rasa's query does: only the latest session
            events.extend(deserialise_events([json.loads(row.data)]))
        if not events:
            return None
        last_id = rows[-1].id if rows else known.last_id if known else 0
        self._remember(sender_id, _Session(last_id, events))
        return DialogueStateTracker.from_events(sender_id, list(events), self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        _drop_text_vectors(tracker)
        known = self._sessions.pop(tracker.sender_id, None)
        events = list(tracker.events)
        ours = known is not None and (
            len(known.events) <= len(events)
            and all(a is b for a, b in zip(known.events, events, strict=False))  # handed out
            and self._rows_after(tracker.sender_id, known.last_id)[0] == 0
        )  # no other writer
        await super().save(tracker)
        if known is None or not ours:
            return  # the next retrieve reads the session from the database once
        count, last_id = self._rows_after(tracker.sender_id, known.last_id)
        if count != len(events) - len(known.events):
            return
        start = max((i for i, e in enumerate(events) if isinstance(e, SessionStarted)), default=0)
        self._remember(tracker.sender_id, _Session(last_id, events[start:]))

    def _rows_after(self, sender_id: str, last_id: int) -> tuple[int, int]:
        """How many rows of this conversation are newer than `last_id`, and the newest id."""
        event = self.SQLEvent
        with self.session_scope() as session:
            count, newest = (
                session.query(sa.func.count(event.id), sa.func.max(event.id))
                .filter(event.sender_id == sender_id, event.id > last_id)
                .one()
            )
        return int(count), int(newest or last_id)

    def _remember(self, sender_id: str, session: _Session) -> None:
        self._sessions[sender_id] = session
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > self.cache_size:
            self._sessions.popitem(last=False)


def _drop_text_vectors(tracker: DialogueStateTracker) -> None:
    """The message's embedding served this turn's actions (bot/core/query_vector.py); it is not
    kept: 2 kB a message, and a trace of what the shopper wrote."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            event.parse_data.pop(TEXT_VECTOR, None)  # type: ignore[misc]
            if event is not tracker.latest_message:
                break  # older messages were stripped when their turn was saved
