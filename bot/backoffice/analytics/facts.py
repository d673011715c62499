"""One sender's tracker events (and cases) -> one row per conversation: pure functions.

A conversation is a Rasa session (domain.yml's `session_config`): a Telegram chat lasts for
months, a session is what a person would call "one conversation". Nothing here keeps text:
only times, counts, intents, topics and the case's figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from bot.backoffice.tracker_events import TrackerEvent
from bot.core.handoff import ACTIVE_SLOT, is_external
from bot.core.shopper_replies import rating_from_text

RATING_QUESTION = "utter_ask_rating"  # actions/handoff.py, after an agent resolves a case
RATE_INTENT = "rate"
FEEDBACK_INTENT = "faq_feedback"
FEEDBACK_PAYLOAD = "/faq_feedback"
FALLBACK_ACTIONS = frozenset({"action_fallback", "action_default_fallback"})
SESSION_START_ACTION = "action_session_start"
COME_BACK_WITHIN = timedelta(days=7)  # first contact resolution's window
GOOD_RATINGS = (4, 5)
UNKNOWN_CHANNEL = "inconnu"


@dataclass(frozen=True)
class CaseInfo:
    """What the dashboard needs of a back-office case (bot/backoffice/db.py `Handoff`)."""

    id: int
    conversation_id: str
    channel: str
    reason: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    first_agent_at: datetime | None  # the first message an agent wrote (bot answers excluded)
    reopened: bool


@dataclass
class Fact:
    """One row of `conversation_facts` (same names), plus its intent and topic counts."""

    conversation_id: str
    session_start: int
    channel: str
    started_at: datetime
    ended_at: datetime
    local_day: date
    user_messages: int = 0
    handoffs: int = 0
    handoff_reason: str | None = None
    case_id: int | None = None
    case_status: str | None = None
    first_response_s: float | None = None
    resolution_s: float | None = None
    resolved_at: datetime | None = None
    reopened: bool = False
    came_back: bool = False
    rating_questions: int = 0
    ratings: int = 0
    ratings_good: int = 0
    abandoned: bool = False
    kb_answers: int = 0
    kb_helpful: int = 0
    kb_unhelpful: int = 0
    fallbacks: int = 0
    intents: dict[str, int] = field(default_factory=dict)
    topics: dict[str, list[int]] = field(default_factory=dict)  # topic -> [n, 👍, 👎]

    def row(self) -> dict[str, Any]:
        """The columns of `conversation_facts`."""
        data = dict(self.__dict__)
        data.pop("intents")
        data.pop("topics")
        return data

    def count_rows(self) -> list[dict[str, Any]]:
        """The rows of `conversation_counts`."""
        common = {
            "conversation_id": self.conversation_id,
            "session_start": self.session_start,
            "local_day": self.local_day,
            "channel": self.channel,
        }
        rows = [
            {**common, "kind": "intent", "name": name, "n": n, "helpful": 0, "unhelpful": 0}
            for name, n in self.intents.items()
        ]
        rows += [
            {**common, "kind": "kb", "name": name, "n": n, "helpful": up, "unhelpful": down}
            for name, (n, up, down) in self.topics.items()
        ]
        return rows


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


def sessions(events: Sequence[TrackerEvent]) -> list[list[TrackerEvent]]:
    """The events cut where Rasa starts a session (`action_session_start`); what comes before
    the first one (a tracker without sessions) is a session of its own."""
    cut: list[list[TrackerEvent]] = []
    for event in events:
        starts = event.type_name == "action" and event.action_name == SESSION_START_ACTION
        if starts or not cut:
            cut.append([])
        cut[-1].append(event)
    return cut


def is_shopper_message(event: TrackerEvent) -> bool:
    return event.type_name == "user" and not is_external(event.data.get("text"))


def _entity(event: TrackerEvent, name: str) -> Any:
    for entity in (event.data.get("parse_data") or {}).get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == name:
            return entity.get("value")
    return None


def rating_of(event: TrackerEvent) -> int | None:
    """The 1–5 rating a `rate` message carries (button entity, else typed)."""
    value = _entity(event, "rating")
    try:
        rating = int(str(value))
    except ValueError:
        rating = rating_from_text(str(event.data.get("text") or "")) or 0
    return rating if 1 <= rating <= 5 else None


def is_question(event: TrackerEvent) -> bool:
    """A bot message that waits for the shopper's choice: buttons, other than the rating
    question (counted by the response rate) and the 👍/👎 under an answer (the answer given)."""
    data = event.data.get("data") or {}
    buttons = [b for b in data.get("buttons") or [] if isinstance(b, dict)]
    if not buttons:
        return False
    if (event.data.get("metadata") or {}).get("utter_action") == RATING_QUESTION:
        return False
    return not all(str(b.get("payload", "")).startswith(FEEDBACK_PAYLOAD) for b in buttons)


class _Reader:
    """Walks one sender's sessions in order; a rating question left open in one session may
    be answered in the next (it counts where it was asked)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.channel = UNKNOWN_CHANNEL
        self.pending: Fact | None = None  # the fact whose rating question awaits an answer
        self.pending_rating: int | None = None
        self.kb_entry: Any = None
        self.kb_topic: str | None = None

    def close_rating(self) -> None:
        if self.pending is not None and self.pending_rating is not None:
            self.pending.ratings += 1
            self.pending.ratings_good += self.pending_rating in GOOD_RATINGS
        self.pending, self.pending_rating = None, None

    def read(self, session: list[TrackerEvent]) -> Fact | None:
        users = [e for e in session if e.type_name == "user"]
        if not users:
            return None
        shopper = [e for e in users if is_shopper_message(e)]
        for event in shopper or users:
            channel = event.data.get("input_channel")
            if channel:
                self.channel = str(channel)
                break
        first = (shopper or users)[0]
        started = _at(first.timestamp)
        fact = Fact(
            conversation_id=session[0].sender_id,
            session_start=session[0].id,
            channel=self.channel,
            started_at=started,
            ended_at=_at(max(e.timestamp for e in session)),
            local_day=started.astimezone(self.zone).date(),
            user_messages=len(shopper),
        )
        requested: Any = None
        in_handoff = False
        last_question: TrackerEvent | None = None
        for event in session:
            kind = event.type_name
            if kind == "user" and is_shopper_message(event):
                last_question = None
                intent = event.intent_name or (
                    (event.data.get("parse_data") or {}).get("intent") or {}
                ).get("name")
                if intent:
                    fact.intents[intent] = fact.intents.get(intent, 0) + 1
                if intent != RATE_INTENT:  # a rating question left for something else
                    self.close_rating()
                if intent == RATE_INTENT and self.pending is not None:
                    self.pending_rating = rating_of(event) or self.pending_rating
                elif intent == FEEDBACK_INTENT and self.kb_entry is not None:
                    helpful = _entity(event, "helpful")
                    if helpful in ("yes", "no"):
                        up = helpful == "yes"
                        fact.kb_helpful += up
                        fact.kb_unhelpful += not up
                        if self.kb_topic is not None:
                            counts = fact.topics.setdefault(self.kb_topic, [0, 0, 0])
                            counts[1 if up else 2] += 1
                        self.kb_entry = None
            elif kind == "bot":
                metadata = event.data.get("metadata") or {}
                if metadata.get("utter_action") == RATING_QUESTION:
                    self.close_rating()
                    self.pending = fact
                    fact.rating_questions += 1
                last_question = event if is_question(event) else None
            elif kind == "slot":
                name, value = event.data.get("name"), event.data.get("value")
                if name == "kb_entry":
                    self.kb_entry = value
                    fact.kb_answers += value is not None
                elif name == "kb_topic" and value is not None:
                    self.kb_topic = str(value)
                    fact.topics.setdefault(self.kb_topic, [0, 0, 0])[0] += 1
                elif name == "requested_slot":
                    requested = value
                elif name == ACTIVE_SLOT:
                    in_handoff = bool(value)
            elif kind == "active_loop" and not event.data.get("name"):
                requested = None
            elif kind == "action" and event.action_name in FALLBACK_ACTIONS:
                fact.fallbacks += 1
        fact.abandoned = not in_handoff and (last_question is not None or requested is not None)
        return fact


def link_cases(facts: list[Fact], cases: Iterable[CaseInfo]) -> None:
    """Each case goes to the conversation it was opened in (the last one started before it);
    a conversation's figures are those of its first case."""
    ordered = sorted(cases, key=lambda c: c.created_at)
    if not facts:
        return
    for case in ordered:
        home = facts[0]
        for fact in facts:
            if fact.started_at <= case.created_at + timedelta(seconds=1):
                home = fact
        home.handoffs += 1
        if home.case_id is not None:
            continue
        home.case_id = case.id
        home.handoff_reason = case.reason
        home.case_status = case.status
        home.reopened = case.reopened
        if case.first_agent_at is not None:
            home.first_response_s = (case.first_agent_at - case.created_at).total_seconds()
        if case.status == "resolved" and case.resolved_at is not None:
            home.resolved_at = case.resolved_at
            home.resolution_s = (case.resolved_at - case.created_at).total_seconds()
            until = case.resolved_at + COME_BACK_WITHIN
            home.came_back = case.reopened or any(
                other.id != case.id and case.resolved_at < other.created_at <= until
                for other in ordered
            )
        if home.channel == UNKNOWN_CHANNEL:
            home.channel = case.channel


def conversation_facts(
    events: Sequence[TrackerEvent], cases: Iterable[CaseInfo], zone: ZoneInfo
) -> list[Fact]:
    """Every conversation of one sender (`events` in id order), with its cases linked."""
    reader = _Reader(zone)
    facts = [fact for s in sessions(events) if (fact := reader.read(s)) is not None]
    reader.close_rating()
    link_cases(facts, cases)
    return facts
