"""The dashboard's figures over a range of days: SQL aggregates of `conversation_facts`
(per day and channel), assembled per day or week; medians and p90 from the case rows only.
The definitions are written in the page's help (templates/dashboard.html) and the README."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.core.handoff import CaseStatus, Reason

from ..db import ConversationFact, DailyCount, Handoff
from .facts import COME_BACK_WITHIN

# Rasa's session expiry (domain.yml): a conversation quiet this long is over, and only then
# can it be said to have been abandoned.
SESSION_OVER = timedelta(minutes=60)
TOP = 12
# The groups of hand-off reasons; every Reason has one (a test checks it).
REASON_GROUPS: dict[str, str] = {
    Reason.asked.value: "demandé par le client",
    Reason.upset.value: "client mécontent",
    Reason.unsure.value: "non compris",
    Reason.verification.value: "vérifications échouées",
    Reason.shop_down.value: "boutique indisponible",
    Reason.not_supported.value: "impossible par l'API de la boutique",
}
FACT = ConversationFact


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def p90(values: list[float]) -> float | None:
    """Nearest-rank 90th percentile: the smallest value with 90 % of the values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


LISTS = ("first_response", "resolution")


@dataclass
class Totals:
    """Sums over some conversations, and the rates made of them."""

    conversations: int = 0
    handed_off: int = 0
    abandoned: int = 0
    rating_questions: int = 0
    ratings: int = 0
    ratings_good: int = 0
    kb_answers: int = 0
    kb_helpful: int = 0
    kb_unhelpful: int = 0
    fallbacks: int = 0
    fcr_cases: int = 0
    fcr_resolved: int = 0
    first_response: list[float] = field(default_factory=list)
    resolution: list[float] = field(default_factory=list)

    def add(self, other: dict[str, Any]) -> None:
        for name, value in other.items():
            if isinstance(value, list):
                getattr(self, name).extend(value)
            else:
                setattr(self, name, getattr(self, name) + int(value or 0))

    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in LISTS
        }
        data.update(
            containment=ratio(self.conversations - self.handed_off, self.conversations),
            handoff_rate=ratio(self.handed_off, self.conversations),
            abandonment=ratio(self.abandoned, self.conversations),
            csat=ratio(self.ratings_good, self.ratings),
            rating_response=ratio(self.ratings, self.rating_questions),
            kb_helpful_rate=ratio(self.kb_helpful, self.kb_helpful + self.kb_unhelpful),
            fcr=ratio(self.fcr_resolved, self.fcr_cases),
            first_response_median=median(self.first_response),
            first_response_p90=p90(self.first_response),
            resolution_median=median(self.resolution),
            resolution_p90=p90(self.resolution),
            cases_with_reply=len(self.first_response),
            cases_resolved=len(self.resolution),
        )
        return data


@dataclass(frozen=True)
class Query:
    start: date
    end: date  # included
    grain: str = "day"  # day | week
    channel: str = ""  # "" = every channel

    def period(self, day: date) -> date:
        return day - timedelta(days=day.weekday()) if self.grain == "week" else day

    def periods(self) -> list[date]:
        seen: list[date] = []
        day = self.start
        while day <= self.end:
            if not seen or seen[-1] != self.period(day):
                seen.append(self.period(day))
            day += timedelta(days=1)
        return seen


def _where(query: Query, table: Any = FACT) -> list[ColumnElement[bool]]:
    clauses = [table.local_day >= query.start, table.local_day <= query.end]
    if query.channel:
        clauses.append(table.channel == query.channel)
    return clauses


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def dashboard(db: Session, query: Query, now: datetime) -> dict[str, Any]:
    """Every figure of the page for `query`, JSON-ready (the page and /dashboard.json)."""
    spoke = FACT.user_messages > 0
    fcr_due = and_(
        FACT.case_status == CaseStatus.resolved.value,
        FACT.resolved_at.is_not(None),
        FACT.resolved_at <= now - COME_BACK_WITHIN,
    )
    rows = db.execute(
        select(
            FACT.local_day,
            FACT.channel,
            _sum(spoke).label("conversations"),
            _sum(and_(spoke, FACT.handoffs > 0)).label("handed_off"),
            _sum(and_(spoke, FACT.abandoned, FACT.ended_at <= now - SESSION_OVER)).label(
                "abandoned"
            ),
            func.coalesce(func.sum(FACT.rating_questions), 0).label("rating_questions"),
            func.coalesce(func.sum(FACT.ratings), 0).label("ratings"),
            func.coalesce(func.sum(FACT.ratings_good), 0).label("ratings_good"),
            func.coalesce(func.sum(FACT.kb_answers), 0).label("kb_answers"),
            func.coalesce(func.sum(FACT.kb_helpful), 0).label("kb_helpful"),
            func.coalesce(func.sum(FACT.kb_unhelpful), 0).label("kb_unhelpful"),
            func.coalesce(func.sum(FACT.fallbacks), 0).label("fallbacks"),
            _sum(fcr_due).label("fcr_cases"),
            _sum(and_(fcr_due, FACT.came_back.is_(False))).label("fcr_resolved"),
        )
        .where(*_where(query))
        .group_by(FACT.local_day, FACT.channel)
    ).all()
    total = Totals()
    per_period = {p: Totals() for p in query.periods()}
    per_channel: dict[str, Totals] = {}
    for row in rows:
        sums = {k: v for k, v in row._mapping.items() if k not in ("local_day", "channel")}
        for bucket in (total, per_period[query.period(row.local_day)]):
            bucket.add(sums)
        per_channel.setdefault(row.channel, Totals()).add(sums)
    for day, channel, first, done in db.execute(
        select(FACT.local_day, FACT.channel, FACT.first_response_s, FACT.resolution_s).where(
            *_where(query), FACT.case_id.is_not(None)
        )
    ):
        for bucket in (total, per_period[query.period(day)], per_channel[channel]):
            if first is not None:
                bucket.first_response.append(first)
            if done is not None:
                bucket.resolution.append(done)
    return {
        "range": {"start": query.start.isoformat(), "end": query.end.isoformat()},
        "grain": query.grain,
        "channel": query.channel,
        "totals": total.summary(),
        "periods": [{"period": p.isoformat(), **per_period[p].summary()} for p in query.periods()],
        "channels": {name: t.summary() for name, t in sorted(per_channel.items())},
        "reasons": reasons(db, query, total.handed_off, total.conversations),
        "intents": top_counts(db, query, "intent"),
        "topics": top_counts(db, query, "kb"),
        "waiting_now": waiting_now(db, query, now),
    }


def reasons(db: Session, query: Query, handed_off: int, conversations: int) -> list[dict[str, Any]]:
    """Hand-offs by reason (the conversation's first case): every known reason, even at 0,
    and any unknown one found."""
    found = {
        str(reason): int(count)
        for reason, count in db.execute(
            select(FACT.handoff_reason, func.count())
            .where(*_where(query), FACT.user_messages > 0, FACT.handoff_reason.is_not(None))
            .group_by(FACT.handoff_reason)
        )
    }
    names = list(REASON_GROUPS) + sorted(set(found) - set(REASON_GROUPS))
    return [
        {
            "reason": name,
            "label": REASON_GROUPS.get(name, name),
            "count": int(found.get(name, 0)),
            "share_of_handoffs": ratio(int(found.get(name, 0)), handed_off),
            "rate": ratio(int(found.get(name, 0)), conversations),
        }
        for name in names
    ]


def top_counts(db: Session, query: Query, kind: str) -> list[dict[str, Any]]:
    count = DailyCount  # the per-day sums (refresh.roll_up)
    total = func.sum(count.n)
    rows = db.execute(
        select(count.name, total, func.sum(count.helpful), func.sum(count.unhelpful))
        .where(count.kind == kind, *_where(query, count))
        .group_by(count.name)
        .order_by(total.desc(), count.name)
        .limit(TOP)
    ).all()
    return [
        {
            "name": name,
            "count": int(n),
            "helpful": int(up or 0),
            "unhelpful": int(down or 0),
            "helpful_rate": ratio(int(up or 0), int(up or 0) + int(down or 0)),
        }
        for name, n, up, down in rows
    ]


def waiting_now(db: Session, query: Query, now: datetime) -> dict[str, Any]:
    """Cases waiting for an agent at this moment (whatever the range), and the longest wait."""
    where = [Handoff.status == CaseStatus.waiting]
    if query.channel:
        where.append(Handoff.channel == query.channel)
    count, oldest = db.execute(
        select(func.count(), func.min(Handoff.created_at)).where(*where)
    ).one()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return {
        "count": int(count),
        "longest_s": (now - oldest).total_seconds() if oldest is not None else None,
    }


def channels(db: Session) -> list[str]:
    """Every channel seen (from the daily sums: a few thousand rows, not every conversation)."""
    return list(db.scalars(select(DailyCount.channel).distinct().order_by(DailyCount.channel)))


CSV_COLUMNS = (
    "conversation_id",
    "session_start",
    "channel",
    "started_at",
    "ended_at",
    "local_day",
    "user_messages",
    "handoffs",
    "handoff_reason",
    "case_id",
    "case_status",
    "first_response_s",
    "resolution_s",
    "resolved_at",
    "reopened",
    "came_back",
    "rating_questions",
    "ratings",
    "ratings_good",
    "abandoned",
    "kb_answers",
    "kb_helpful",
    "kb_unhelpful",
    "fallbacks",
)


def csv_rows(db: Session, query: Query) -> Iterable[list[Any]]:
    """The rows behind the figures, in time order, streamed (no text, no e-mail)."""
    columns = [getattr(FACT, name) for name in CSV_COLUMNS]
    result = db.execute(
        select(*columns)
        .where(*_where(query))
        .order_by(FACT.started_at, FACT.id)
        .execution_options(yield_per=2000)
    )
    for row in result:
        yield [_cell(value) for value in row]


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return "" if value is None else value
