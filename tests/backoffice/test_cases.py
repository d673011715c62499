"""The case lifecycle (bot/backoffice/cases.py) without HTTP, on a migrated SQLite database.

Every outcome is read back through a second session, so an uncommitted change fails too."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.backoffice import cases
from bot.backoffice.db import (
    HERE,
    Handoff,
    HandoffMessage,
    User,
    make_engine,
    make_sessionmaker,
    migrate,
)
from bot.clients.backoffice.models import HandoffRequest, Reason, Summary
from bot.core.handoff import OPEN_STATUSES, CaseStatus

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
LATER = NOW + timedelta(minutes=7)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    migrate(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def alice(db: Session) -> User:
    return _user(db, "alice@boutique.fr", "Alice Agent")


@pytest.fixture
def bob(db: Session) -> User:
    return _user(db, "bob@boutique.fr", "Bob Conseiller")


@pytest.fixture
def read(sessions: sessionmaker[Session]) -> Callable[[int], Handoff]:
    """The case as another process would see it now."""

    def fresh(case_id: int) -> Handoff:
        with sessions() as other:
            case = other.get(Handoff, case_id)
            assert case is not None
            _ = case.messages, case.agent  # loaded before the session closes
            return case

    return fresh


def _user(db: Session, email: str, name: str) -> User:
    user = User(email=email, display_name=name, role="agent", password_hash="x", active=True)
    db.add(user)
    db.commit()
    return user


def _request(conversation: str = "conv-1", **extra: Any) -> HandoffRequest:
    fields: dict[str, Any] = {
        "conversation_id": conversation,
        "channel": "telegram",
        "reason": Reason.asked,
        "priority": 3,
        "summary": Summary(request="Je veux parler à quelqu'un"),
        **extra,
    }
    return HandoffRequest(**fields)


def _open(db: Session, conversation: str = "conv-1", **extra: Any) -> Handoff:
    case, created = cases.open_case(db, _request(conversation, **extra), NOW)
    assert created
    return case


def _messages(case: Handoff) -> list[tuple[str, str, int | None]]:
    return [(m.sender, m.text, m.author_id) for m in case.messages]


# Opening a case


def test_a_new_case_waits_for_an_agent(db: Session, read: Callable[[int], Handoff]) -> None:
    case = _open(db, reason=Reason.upset, priority=1, mood="en colère")
    stored = read(case.id)
    assert stored.status is CaseStatus.waiting and stored.is_open
    assert (stored.conversation_id, stored.channel, stored.reason, stored.priority) == (
        "conv-1",
        "telegram",
        "upset",
        1,
    )
    assert stored.summary["request"] == "Je veux parler à quelqu'un"
    assert (stored.mood, stored.assigned_to, stored.created_at) == ("en colère", None, NOW)
    assert stored.messages == []


def test_asking_again_returns_the_open_case_unchanged(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    first = _open(db)
    cases.assign(db, first, alice, NOW)
    again, created = cases.open_case(db, _request(reason=Reason.upset, priority=1), LATER)
    assert not created and again.id == first.id
    stored = read(first.id)
    assert (stored.status, stored.reason, stored.priority) == (CaseStatus.assigned, "asked", 3)
    other, created = cases.open_case(db, _request("conv-2"), LATER)
    assert created and other.id != first.id


def test_a_closed_case_never_reopens_the_next_hand_off_is_a_new_case(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    resolved = _open(db)
    cases.resolve(db, resolved, alice, NOW)
    second, created = cases.open_case(db, _request(), LATER)
    assert created and second.id != resolved.id and second.status is CaseStatus.waiting
    cases.hand_back(db, second, alice, LATER)
    third, created = cases.open_case(db, _request(), LATER)
    assert created and third.id not in (resolved.id, second.id)
    assert read(resolved.id).status is CaseStatus.resolved
    assert read(second.id).status is CaseStatus.returned
    assert cases.find_open(db, "conv-1") is not None
    assert cases.find_open(db, "conv-1").id == third.id  # type: ignore[union-attr]


def test_a_racing_open_returns_the_case_the_other_request_made(
    db: Session, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes both saw no open case; the database's unique index keeps one."""
    with sessions() as other:
        winner = _open(other)
    real = cases.find_open
    calls: list[str] = []

    def late(session: Session, conversation_id: str) -> Handoff | None:
        calls.append(conversation_id)
        return None if len(calls) == 1 else real(session, conversation_id)

    monkeypatch.setattr(cases, "find_open", late)
    case, created = cases.open_case(db, _request(), LATER)
    assert not created and case.id == winner.id and len(calls) == 2
    assert db.scalars(select(Handoff)).all() == [case]


def test_the_database_refuses_a_second_open_case_of_a_conversation(db: Session) -> None:
    _open(db)
    db.add(
        Handoff(
            conversation_id="conv-1",
            channel="rest",
            reason="asked",
            priority=3,
            status=CaseStatus.assigned,
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()


def test_the_model_and_the_migration_spell_the_open_statuses_alike() -> None:
    """The partial unique index names the open statuses in SQL; both must match the core's."""
    expected = {status.value for status in OPEN_STATUSES}
    [index] = [i for i in Handoff.__table__.indexes if i.name == "uq_handoffs_open_conversation"]
    for dialect in ("sqlite", "postgresql"):
        where = str(index.dialect_options[dialect]["where"])
        assert set(re.findall(r"'(\w+)'", where)) == expected, where
    migration = (HERE / "migrations" / "versions" / "0001_initial.py").read_text()
    [condition] = re.findall(r'"status IN \(([^)]*)\)"', migration)
    assert set(re.findall(r"'(\w+)'", condition)) == expected


def test_the_status_is_stored_as_its_plain_value(db: Session) -> None:
    """Same VARCHAR values as before CaseStatus: no migration, old rows still read."""
    case = _open(db)
    assert db.execute(text("SELECT status FROM handoffs")).scalar() == "waiting"
    db.execute(text("UPDATE handoffs SET status = 'resolved' WHERE id = :id"), {"id": case.id})
    db.commit()
    db.expire_all()
    assert db.get(Handoff, case.id).status is CaseStatus.resolved  # type: ignore[union-attr]


# Assigning


def test_assign_gives_a_waiting_case_to_the_agent(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    assert cases.assign(db, case, alice, LATER) is True
    stored = read(case.id)
    assert (stored.status, stored.assigned_to, stored.updated_at) == (
        CaseStatus.assigned,
        alice.id,
        LATER,
    )
    assert _messages(stored) == [("system", "Pris en charge par Alice Agent", alice.id)]


def test_assigning_twice_to_the_same_agent_changes_nothing(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.assign(db, case, alice, NOW)
    assert cases.assign(db, case, alice, LATER) is False
    stored = read(case.id)
    assert len(stored.messages) == 1 and stored.updated_at == NOW


def test_a_case_another_agent_has_cannot_be_taken(
    db: Session, alice: User, bob: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.assign(db, case, alice, NOW)
    with pytest.raises(cases.CaseTaken) as refused:
        cases.assign(db, case, bob, LATER)
    assert refused.value.owner == "Alice Agent"
    stored = read(case.id)
    assert stored.assigned_to == alice.id and len(stored.messages) == 1


def test_a_closed_case_cannot_be_assigned(
    db: Session, alice: User, bob: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.hand_back(db, case, alice, NOW)
    with pytest.raises(cases.CaseClosed) as refused:
        cases.assign(db, case, bob, LATER)
    assert refused.value.status is CaseStatus.returned
    stored = read(case.id)
    assert (stored.status, stored.assigned_to) == (CaseStatus.returned, alice.id)


# Replying


def test_the_reply_is_cleaned_and_checked_before_it_is_sent(db: Session, alice: User) -> None:
    case = _open(db)
    assert cases.reply_text(case, "  Bonjour\x00, je regarde.\r\nUn instant\x1b  ") == (
        "Bonjour, je regarde.\nUn instant"
    )
    with pytest.raises(cases.EmptyReply):
        cases.reply_text(case, " \x00\x07 \n")
    cases.resolve(db, case, alice, NOW)
    with pytest.raises(cases.CaseClosed):  # closed is said first, even for an empty reply
        cases.reply_text(case, " ")


def test_a_reply_to_a_waiting_case_assigns_it_to_the_agent(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    message = cases.record_reply(db, case, alice, "Je regarde votre commande.", LATER)
    stored = read(case.id)
    assert (stored.status, stored.assigned_to, stored.updated_at) == (
        CaseStatus.assigned,
        alice.id,
        LATER,
    )
    assert _messages(stored) == [("agent", "Je regarde votre commande.", alice.id)]
    assert (message.id, message.at) == (stored.messages[0].id, LATER)


def test_a_colleague_may_reply_without_taking_the_case(
    db: Session, alice: User, bob: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.assign(db, case, alice, NOW)
    cases.record_reply(db, case, bob, "Je complète la réponse d'Alice.", LATER)
    stored = read(case.id)
    assert (stored.status, stored.assigned_to) == (CaseStatus.assigned, alice.id)
    assert _messages(stored)[-1] == ("agent", "Je complète la réponse d'Alice.", bob.id)


def test_no_reply_is_recorded_on_a_closed_case(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.resolve(db, case, alice, NOW)
    with pytest.raises(cases.CaseClosed):
        cases.record_reply(db, case, alice, "Encore une chose", LATER)
    assert [m.sender for m in read(case.id).messages] == ["system"]


# Resolving and handing back


def test_resolve_closes_the_case_and_whoever_closes_a_waiting_case_owns_it(
    db: Session, bob: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.resolve(db, case, bob, LATER)
    stored = read(case.id)
    assert (stored.status, stored.resolved_at, stored.assigned_to) == (
        CaseStatus.resolved,
        LATER,
        bob.id,
    )
    assert not stored.is_open and cases.find_open(db, "conv-1") is None
    assert _messages(stored) == [("system", "Résolu par Bob Conseiller", bob.id)]


def test_closing_someone_elses_case_leaves_it_theirs(
    db: Session, alice: User, bob: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.assign(db, case, alice, NOW)
    cases.resolve(db, case, bob, LATER)
    stored = read(case.id)
    assert (stored.status, stored.assigned_to) == (CaseStatus.resolved, alice.id)
    assert _messages(stored)[-1] == ("system", "Résolu par Bob Conseiller", bob.id)


def test_hand_back_closes_without_a_resolution(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.assign(db, case, alice, NOW)
    cases.hand_back(db, case, alice, LATER)
    stored = read(case.id)
    assert (stored.status, stored.resolved_at, stored.updated_at) == (
        CaseStatus.returned,
        None,
        LATER,
    )
    assert _messages(stored)[-1] == ("system", "Rendu au bot par Alice Agent", alice.id)


@pytest.mark.parametrize("first", ["resolve", "hand_back"])
@pytest.mark.parametrize("then", ["resolve", "hand_back"])
def test_a_closed_case_cannot_be_closed_again(
    first: str, then: str, db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    getattr(cases, first)(db, case, alice, NOW)
    closed = read(case.id)
    with pytest.raises(cases.CaseClosed) as refused:
        getattr(cases, then)(db, case, alice, LATER)
    assert refused.value.status is closed.status
    stored = read(case.id)
    assert (stored.status, stored.resolved_at, stored.updated_at) == (
        closed.status,
        closed.resolved_at,
        NOW,
    )
    assert len(stored.messages) == 1


def test_ensure_open_says_which_state_refused(db: Session, alice: User) -> None:
    case = _open(db)
    cases.ensure_open(case)
    cases.assign(db, case, alice, NOW)
    cases.ensure_open(case)
    cases.resolve(db, case, alice, NOW)
    with pytest.raises(cases.CaseClosed) as refused:
        cases.ensure_open(case)
    assert refused.value.status is CaseStatus.resolved


# The shopper's messages


def test_the_shoppers_message_goes_to_the_open_case(
    db: Session, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    _open(db, "conv-2")
    relayed_to, message = cases.relay(db, "conv-1", "Toujours\x00 là ?", LATER)
    assert relayed_to.id == case.id
    stored = read(case.id)
    assert _messages(stored) == [("shopper", "Toujours là ?", None)]
    assert (message.at, stored.updated_at, stored.status) == (LATER, LATER, CaseStatus.waiting)


def test_a_message_without_an_open_case_is_refused(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    with pytest.raises(cases.NoOpenCase):
        cases.relay(db, "conv-1", "Allô ?", NOW)
    case = _open(db)
    cases.hand_back(db, case, alice, NOW)
    with pytest.raises(cases.NoOpenCase) as refused:
        cases.relay(db, "conv-1", "Allô ?", LATER)
    assert refused.value.conversation_id == "conv-1"
    assert [m.sender for m in read(case.id).messages] == ["system"]
    assert db.scalars(select(HandoffMessage).where(HandoffMessage.sender == "shopper")).all() == []


# Rating


def test_no_rating_before_the_case_is_resolved(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    with pytest.raises(cases.RatingNotAllowed):
        cases.rate(db, "conv-1", 5, NOW)
    case = _open(db)
    with pytest.raises(cases.RatingNotAllowed):
        cases.rate(db, "conv-1", 5, NOW)
    cases.assign(db, case, alice, NOW)
    with pytest.raises(cases.RatingNotAllowed):
        cases.rate(db, "conv-1", 5, NOW)
    assert read(case.id).rating is None


def test_a_case_handed_back_is_not_rated(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    case = _open(db)
    cases.hand_back(db, case, alice, NOW)
    with pytest.raises(cases.RatingNotAllowed) as refused:
        cases.rate(db, "conv-1", 2, LATER)
    assert refused.value.conversation_id == "conv-1"
    assert (read(case.id).rating, read(case.id).rated_at) == (None, None)


def test_the_rating_goes_to_the_last_resolved_case_and_a_second_one_replaces_it(
    db: Session, alice: User, read: Callable[[int], Handoff]
) -> None:
    old = _open(db)
    cases.resolve(db, old, alice, NOW)
    recent = _open(db)
    cases.resolve(db, recent, alice, NOW + timedelta(hours=1))
    still_open = _open(db)  # a third hand-off, not resolved yet
    rated = cases.rate(db, "conv-1", 4, LATER)
    assert rated.id == recent.id
    assert (read(recent.id).rating, read(recent.id).rated_at) == (4, LATER)
    assert read(old.id).rating is None and read(still_open.id).rating is None
    cases.rate(db, "conv-1", 2, LATER + timedelta(minutes=1))
    assert (read(recent.id).rating, read(recent.id).rated_at) == (2, LATER + timedelta(minutes=1))
    assert read(recent.id).status is CaseStatus.resolved  # rating does not change the state
