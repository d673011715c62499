"""Rasa's tracker events -> the shopper messages the bot could not answer.

A message is "unanswered" when the turn it started ended in one of these (what the actions
leave in the tracker, read from actions/faq.py, actions/knowledge.py, actions/feedback.py):

- `fallback`: action_fallback / action_out_of_scope said it did not understand (they set
  the `unsure_turn` slot);
- `no_answer`: action_answer_faq found nothing sure and offered no choice (same slot);
- `choose`: the knowledge base offered questions as buttons and the shopper clicked none
  (the next message is not one of the offered payloads);
- `unhelpful`: the shopper rated the answer 👎 (faq_feedback with helpful=no; the message is
  the one the rated answer replied to);
- `handoff`: the second "not understood" in a row, handed to a person (`unsure_turn`
  cleared and `handoff_active` set in the same turn).

A turn that set `kb_entry` was answered (unless rated 👎 later). Messages sent while an agent
owns the conversation, and button payloads ("/intent…"), are never candidates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.backoffice.tracker_events import TrackerEvent, decode, events
from bot.core.slots import KB_ENTRY, UNSURE_TURN

KINDS: dict[str, str] = {
    "fallback": "non compris",
    "no_answer": "rien dans la FAQ",
    "choose": "choix proposés, aucun cliqué",
    "unhelpful": "réponse jugée pas utile",
    "handoff": "passé à un conseiller faute de compréhension",
}
UNSURE_ACTIONS = frozenset({"action_answer_faq", "action_fallback", "action_out_of_scope"})
UNSURE_SLOT = UNSURE_TURN
ENTRY_SLOT = KB_ENTRY
HANDOFF_SLOT = "handoff_active"
MAX_ROWS = 500_000  # a period's events read at most; beyond, the oldest are left out


@dataclass(frozen=True)
class Unanswered:
    conversation: str
    at: datetime
    text: str
    kind: str
    channel: str | None = None
    entry: str | None = None  # 👎: the entry whose answer was rated


@dataclass
class _Turn:
    user: TrackerEvent
    actions: list[str] = field(default_factory=list)
    slots: dict[str, Any] = field(default_factory=dict)
    payloads: list[str] = field(default_factory=list)  # KB questions offered as buttons
    relayed: bool = False  # an agent owned the conversation when it was sent

    @property
    def text(self) -> str:
        return str(self.user.data.get("text") or "")

    @property
    def intent(self) -> str | None:
        intent = (self.user.data.get("parse_data") or {}).get("intent") or {}
        return intent.get("name") if isinstance(intent, dict) else None

    def entity(self, name: str) -> Any:
        for found in (self.user.data.get("parse_data") or {}).get("entities") or []:
            if isinstance(found, dict) and found.get("entity") == name:
                return found.get("value")
        return None


def _turns(conversation: list[TrackerEvent]) -> list[_Turn]:
    turns: list[_Turn] = []
    handed_off = False
    for event in conversation:
        kind = event.data.get("event") or event.type_name
        if kind == "user":
            turns.append(_Turn(event, relayed=handed_off))
            continue
        if kind == "slot" and event.data.get("name") == HANDOFF_SLOT:
            handed_off = bool(event.data.get("value"))
        if not turns:
            continue
        turn = turns[-1]
        if kind == "action":
            turn.actions.append(str(event.data.get("name") or event.action_name or ""))
        elif kind == "slot":
            turn.slots[str(event.data.get("name"))] = event.data.get("value")
        elif kind == "bot":
            buttons = (event.data.get("data") or {}).get("buttons") or []
            turn.payloads += [
                str(b.get("payload"))
                for b in buttons
                if isinstance(b, dict) and not str(b.get("payload") or "/").startswith("/")
            ]
    return turns


def _when(event: TrackerEvent) -> datetime:
    return datetime.fromtimestamp(event.timestamp, timezone.utc)


def _message(turn: _Turn, kind: str, entry: str | None = None) -> Unanswered:
    return Unanswered(
        turn.user.sender_id,
        _when(turn.user),
        turn.text,
        kind,
        turn.user.data.get("input_channel"),
        entry,
    )


def classify(conversation: list[TrackerEvent]) -> list[Unanswered]:
    """The unanswered messages of one conversation (its events in id order)."""
    turns = _turns(conversation)
    found: list[Unanswered] = []
    rated: tuple[str, _Turn] | None = None  # the latest answer, which a 👎 is about
    for position, turn in enumerate(turns):
        if turn.intent == "faq_feedback":
            if rated is not None and turn.entity("helpful") == "no":
                found.append(_message(rated[1], "unhelpful", rated[0]))
            rated = None
            continue
        if turn.relayed or not turn.text.strip() or turn.text.startswith("/"):
            continue
        if turn.slots.get(ENTRY_SLOT):
            rated = (str(turn.slots[ENTRY_SLOT]), turn)
            continue
        unsure = not UNSURE_ACTIONS.isdisjoint(turn.actions)
        if not unsure:
            continue
        if turn.slots.get(HANDOFF_SLOT) and UNSURE_SLOT in turn.slots:
            found.append(_message(turn, "handoff"))
        elif turn.payloads:
            following = turns[position + 1].text if position + 1 < len(turns) else None
            if following not in turn.payloads:
                found.append(_message(turn, "choose"))
        elif turn.slots.get(UNSURE_SLOT) is not None:
            kind = "no_answer" if "action_answer_faq" in turn.actions else "fallback"
            found.append(_message(turn, kind))
    return found


def collect(conversations: Iterable[list[TrackerEvent]]) -> list[Unanswered]:
    """Every unanswered message of these conversations, oldest first."""
    found = [message for conversation in conversations for message in classify(conversation)]
    return sorted(found, key=lambda m: (m.at, m.conversation))


def read_period(engine: Engine, start: datetime, end: datetime) -> list[list[TrackerEvent]]:
    """The events of [start, end) grouped by conversation, each in id order (plus an hour
    after `end`, so that a 👎 or a click just after the period still counts)."""
    after = end.timestamp() + 3600
    query = (
        sa.select(events)
        .where(events.c.timestamp >= start.timestamp(), events.c.timestamp < after)
        .where(events.c.type_name.in_(("user", "bot", "action", "slot")))
        .order_by(events.c.id)
        .limit(MAX_ROWS)
    )
    grouped: dict[str, list[TrackerEvent]] = {}
    with engine.connect() as connection:
        for row in connection.execute(query):
            event = decode(row)
            grouped.setdefault(event.sender_id, []).append(event)
    return list(grouped.values())


def unanswered(engine: Engine | None, start: datetime, end: datetime) -> list[Unanswered]:
    """The unanswered messages sent in [start, end); [] without a tracker store."""
    if engine is None:
        return []
    found = collect(read_period(engine, start, end))
    return [m for m in found if start <= m.at < end]
