"""The life of a hand-off case: every change of a case goes through here, nowhere else.

    (opened) ──► waiting ──assign / reply──► assigned
                    │ ▲                       │ ▲
                    └─┼──resolve / hand_back──┴─┼──► resolved (then rated) | returned
                      └──────── reopen ─────────┘          (by an agent, within 30 days)

A new hand-off of a conversation whose case is closed is a new case; only an agent reopens a
closed case, explicitly (`reopen`: back to the queue or to themself), and only while the
conversation has no other open case. Only one case per conversation is open at a time (the
database enforces it too).

The inbox's list (filters, search, the customer's name and e-mail) is read here too, at the
end of this module, so that the rules of what an agent sees live beside those of what they do.

The functions take the session and the time, commit their change and raise a `CaseError` when
the case's state refuses it; the routes map each error to an HTTP answer, talk to Rasa and
publish the live event. A route that must reach the shopper first (reply, resolve, hand back)
asks `ensure_open` / `reply_text` before calling Rasa, and records the change only once Rasa
has it, so a refused or failed call leaves the case untouched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clients.backoffice.models import HandoffRequest
from bot.core.handoff import OPEN_STATUSES, CaseStatus

from .db import Handoff, HandoffMessage, Role, User
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


class CaseNotClosed(CaseError):
    """Only a closed case can be reopened."""

    def __init__(self, case: Handoff) -> None:
        super().__init__(f"hand-off {case.id} is still {case.status.value}")
        self.status = case.status


class CaseSuperseded(CaseError):
    """The conversation has another open case (the shopper asked again): work on that one."""

    def __init__(self, case: Handoff, other_id: int) -> None:
        super().__init__(f"conversation of hand-off {case.id} has open hand-off {other_id}")
        self.other_id = other_id


class ReopenTooLate(CaseError):
    """Closed too long ago: the shopper has moved on, a reply would come out of the blue."""

    def __init__(self, case: Handoff, days: int) -> None:
        super().__init__(f"hand-off {case.id} was closed more than {days} days ago")
        self.days = days


class NotAnAgent(CaseError):
    """Only active agents and admins work on cases."""

    def __init__(self, user: User) -> None:
        super().__init__(f"user {user.id} ({user.role}) may not change cases")


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


# A closed case may be reopened for this long after it was closed.
REOPEN_WITHIN = timedelta(days=30)
AGENTS = (Role.agent.value, Role.admin.value)


def closed_at(case: Handoff) -> datetime:
    """When the case was closed: resolved_at, or its last change for a case handed back."""
    return case.resolved_at or case.updated_at


def check_reopen(db: Session, case: Handoff, agent: User, now: datetime) -> None:
    """Who may reopen what: any active agent or admin, a closed case (resolved or handed back)
    closed less than REOPEN_WITHIN ago, while its conversation has no other open case (the
    shopper came back and a newer case holds the conversation: that one is worked on).
    Raises the `CaseError` that refuses it; asked before Rasa is told."""
    if not agent.active or agent.role not in AGENTS:
        raise NotAnAgent(agent)
    if case.is_open:
        raise CaseNotClosed(case)
    if now - closed_at(case) > REOPEN_WITHIN:
        raise ReopenTooLate(case, REOPEN_WITHIN.days)
    other = find_open(db, case.conversation_id)
    if other is not None:
        raise CaseSuperseded(case, other.id)


def reopen(db: Session, case: Handoff, agent: User, now: datetime, *, to_me: bool) -> None:
    """Open a closed case again: back in the queue (waiting, nobody's), or assigned to `agent`.
    It is no longer resolved (resolved_at is cleared; a rating given meanwhile stays, it is the
    shopper's word on the first answer). The history says who reopened it."""
    check_reopen(db, case, agent, now)
    case.status = CaseStatus.assigned if to_me else CaseStatus.waiting
    case.assigned_to = agent.id if to_me else None
    case.resolved_at = None
    where = f"pris en charge par {agent.display_name}" if to_me else "remis en attente"
    try:
        _note(db, case, "system", f"Rouvert par {agent.display_name}, {where}", now, agent)
    except IntegrityError:  # a new case of the conversation opened meanwhile
        db.rollback()
        other = find_open(db, case.conversation_id)
        db.refresh(case)
        if other is None:
            raise
        raise CaseSuperseded(case, other.id) from None


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


# ---------------------------------------------------------------------------------------------
# The inbox's list: which cases an agent sees, with whom, and what they asked.

# The views of the list by status (the `statut` of the URL), in the order the page offers them.
STATUS_VIEWS: dict[str, tuple[str, tuple[CaseStatus, ...]]] = {
    "ouvertes": ("À traiter (en attente et prises en charge)", OPEN_STATUSES),
    "en-attente": ("En attente", (CaseStatus.waiting,)),
    "prises": ("Prises en charge", (CaseStatus.assigned,)),
    "resolues": ("Résolues", (CaseStatus.resolved,)),
    "rendues": ("Rendues au bot", (CaseStatus.returned,)),
    "toutes": ("Toutes", tuple(CaseStatus)),
}
DEFAULT_VIEW = "ouvertes"
HEADINGS = {
    "ouvertes": "Conversations à traiter",
    "en-attente": "Conversations en attente",
    "prises": "Conversations prises en charge",
    "resolues": "Conversations résolues",
    "rendues": "Conversations rendues au bot",
    "toutes": "Toutes les conversations",
}
# Whose cases (the `qui` of the URL).
WHO = {"": "Tout le monde", "moi": "Moi", "personne": "Personne (non attribuées)"}
PRIORITY_LABELS = {
    1: "1 — urgente",
    2: "2 — haute",
    3: "3 — normale",
    4: "4 — basse",
    5: "5 — basse",
}
CHANNEL_LABELS = {
    "socketio": "Site (fenêtre de discussion)",
    "rest": "API",
    "telegram": "Telegram",
    "facebook": "Messenger",
    "messenger": "Messenger",
}
PAGE_SIZE = 50
MAX_QUERY = 200


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


@dataclass(frozen=True)
class InboxFilter:
    """What the agent asked the list for, as kept in the URL (shareable, back button)."""

    status: str = DEFAULT_VIEW
    who: str = ""
    priority: int | None = None
    channel: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> InboxFilter:
        """Read leniently: a value the page does not offer is dropped, never an error (a link
        shared from an older version still opens the inbox)."""
        status = params.get("statut", "")
        who = params.get("qui", "")
        priority = params.get("priorite", "")
        page = params.get("page", "")
        return cls(
            status=status if status in STATUS_VIEWS else DEFAULT_VIEW,
            who=who if who in WHO else "",
            priority=int(priority) if priority in {"1", "2", "3", "4", "5"} else None,
            channel=params.get("canal", "").strip()[:50],
            q=" ".join(params.get("q", "").split())[:MAX_QUERY],
            page=int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The URL's parameters of this filter (defaults left out), with `changes` applied."""
        f = replace(self, **changes)
        pairs = {
            "statut": f.status if f.status != DEFAULT_VIEW else "",
            "qui": f.who,
            "priorite": str(f.priority) if f.priority else "",
            "canal": f.channel,
            "q": f.q,
            "page": str(f.page) if f.page > 1 else "",
        }
        return {key: value for key, value in pairs.items() if value}

    def query(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))

    @property
    def closed_view(self) -> bool:
        return all(s not in OPEN_STATUSES for s in STATUS_VIEWS[self.status][1])

    @property
    def narrowed(self) -> bool:
        """Anything else than the default list (an empty list then says so differently)."""
        return bool(self.params(page=1))


@dataclass(frozen=True)
class Customer:
    """Who the shopper is, when the case knows it (else None)."""

    name: str | None = None
    email: str | None = None


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _shopper_texts(case: Handoff) -> Iterable[str]:
    summary = case.summary or {}
    for turn in summary.get("last_messages") or []:
        if isinstance(turn, dict) and turn.get("sender") == "shopper":
            yield str(turn.get("text") or "")
    for message in case.messages:
        if message.sender == "shopper":
            yield message.text


def customer(case: Handoff) -> Customer:
    """The shopper's name and e-mail: what the case's summary says when it holds them (keys
    `customer_name` / `email`, or a `customer` object), else the e-mail the shopper wrote
    (to prove an order is theirs, or to be answered). The summary holds no name today: the
    action server would add it (see the report of issue 19)."""
    summary = case.summary or {}
    raw = summary.get("customer")
    nested: dict[str, Any] = raw if isinstance(raw, dict) else {}
    name = next(
        (
            t
            for t in (
                _text(summary.get("customer_name")),
                _text(nested.get("name")),
                _text(summary.get("first_name")),
            )
            if t
        ),
        None,
    )
    email = _text(summary.get("email")) or _text(nested.get("email"))
    if email is None:
        for text in _shopper_texts(case):
            found = EMAIL.search(text)
            if found:
                email = found.group(0).rstrip(".")
                break
    return Customer(name=name, email=email)


def request_of(case: Handoff) -> str:
    """What the shopper wanted: the summary's request (quoted from the message that asked it,
    never their last answer), else their first words, else a plain « non précisée »."""
    summary = case.summary or {}
    request = _text(summary.get("request"))
    if request:
        return request
    return next((t.strip() for t in _shopper_texts(case) if t.strip()), "Demande non précisée")


def fold(text: str) -> str:
    """Lower case without accents: « Élodie » and « elodie » match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _haystack(case: Handoff) -> str:
    """Everything a search looks into: the request, the order number, the customer, the
    conversation's words kept with the case (summary and relayed messages, agents' replies)."""
    summary = case.summary or {}
    who = customer(case)
    parts = [
        str(summary.get("request") or ""),
        str(summary.get("order_number") or ""),
        who.name or "",
        who.email or "",
        case.conversation_id,
        *(
            str(t.get("text") or "")
            for t in summary.get("last_messages") or []
            if isinstance(t, dict)
        ),
        *(m.text for m in case.messages if m.sender in ("shopper", "agent")),
    ]
    return fold("\n".join(parts))


def matches(case: Handoff, q: str) -> bool:
    """Every word of the search is somewhere in the case (accents and case ignored)."""
    haystack = _haystack(case)
    return all(term in haystack for term in fold(q).split())


@dataclass(frozen=True)
class InboxRow:
    case: Handoff
    customer: Customer
    request: str
    reopenable: bool


@dataclass(frozen=True)
class InboxList:
    rows: list[InboxRow]
    total: int
    page: int
    pages: int


def inbox_list(
    db: Session, f: InboxFilter, agent: User, now: datetime, page_size: int = PAGE_SIZE
) -> InboxList:
    """The cases of the filter: open views most urgent first then longest waiting, closed ones
    most recently closed first. The search runs in Python over each candidate (accents and
    case ignored on SQLite and PostgreSQL alike): fine for a shop's thousands of cases."""
    statuses = STATUS_VIEWS[f.status][1]
    query = select(Handoff).where(Handoff.status.in_(statuses))
    if f.who == "moi":
        query = query.where(Handoff.assigned_to == agent.id)
    elif f.who == "personne":
        query = query.where(Handoff.assigned_to.is_(None))
    if f.priority is not None:
        query = query.where(Handoff.priority == f.priority)
    if f.channel:
        query = query.where(Handoff.channel == f.channel)
    if f.closed_view or f.status == "toutes":
        query = query.order_by(Handoff.updated_at.desc(), Handoff.id.desc())
    else:
        query = query.order_by(Handoff.priority, Handoff.created_at, Handoff.id)
    if f.q:
        found = [c for c in db.scalars(query).unique() if matches(c, f.q)]
        total = len(found)
        pages = max(1, -(-total // page_size))
        page = min(f.page, pages)
        cases = found[(page - 1) * page_size : page * page_size]
    else:
        total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
        pages = max(1, -(-total // page_size))
        page = min(f.page, pages)
        cases = list(db.scalars(query.offset((page - 1) * page_size).limit(page_size)).unique())
    rows = [
        InboxRow(
            case=c,
            customer=customer(c),
            request=request_of(c),
            reopenable=not c.is_open and now - closed_at(c) <= REOPEN_WITHIN,
        )
        for c in cases
    ]
    return InboxList(rows=rows, total=total, page=page, pages=pages)


def channels(db: Session) -> list[str]:
    """The channels the cases came from, for the filter."""
    return sorted(db.scalars(select(Handoff.channel).distinct()))


@dataclass(frozen=True)
class InboxSignal:
    """What the page needs to tell the agent, whatever the filter: the waiting count (tab
    title), the newest case (a case arrives) and the newest shopper message in the agent's
    open cases (a shopper writes to me). Ids only grow, so the page compares them."""

    waiting: int
    latest_case: int
    latest_case_request: str
    latest_mine: int
    latest_mine_case: int
    latest_mine_from: str  # the shopper's name or e-mail when known
    latest_mine_request: str


def signal(db: Session, agent: User) -> InboxSignal:
    waiting = int(
        db.scalar(select(func.count(Handoff.id)).where(Handoff.status == CaseStatus.waiting)) or 0
    )
    newest = db.scalar(select(Handoff).order_by(Handoff.id.desc()).limit(1))
    mine = db.execute(
        select(HandoffMessage.id, HandoffMessage.handoff_id)
        .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
        .where(
            HandoffMessage.sender == "shopper",
            Handoff.assigned_to == agent.id,
            Handoff.status.in_(OPEN_STATUSES),
        )
        .order_by(HandoffMessage.id.desc())
        .limit(1)
    ).first()
    mine_from = mine_request = ""
    if mine is not None:
        case = db.get(Handoff, mine.handoff_id)
        if case is not None:
            who = customer(case)
            mine_from, mine_request = who.name or who.email or "", request_of(case)
    return InboxSignal(
        waiting=waiting,
        latest_case=newest.id if newest else 0,
        latest_case_request=request_of(newest)[:120] if newest else "",
        latest_mine=mine.id if mine else 0,
        latest_mine_case=mine.handoff_id if mine else 0,
        latest_mine_from=mine_from[:120],
        latest_mine_request=mine_request[:120],
    )
