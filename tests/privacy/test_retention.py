"""Retention: what is idle longer than its limit is purged, newer data is kept; the back
office's scheduled job runs the purge, remembers its last run across restarts, and audits it."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.backoffice.app import create_app
from bot.backoffice.db import Handoff, PrivacyAudit, PrivacySchedule
from bot.core import forgotten
from bot.core.handoff import CaseStatus
from bot.privacy import Criteria, Retention, find, purge
from bot.privacy.schedule import run_if_due

from .conftest import MARIE, NOW, PAUL, World

LIMITS = Retention(conversations_days=182, cases_days=365, feedback_days=182, audit_days=365)


def _world_of_ages(world: World) -> dict[str, int]:
    """Marie's data is 400 days old, Paul's 10 days; plus cases and audit rows of other ages."""
    world.add_shopper(MARIE, NOW - timedelta(days=400))
    world.add_shopper(PAUL, NOW - timedelta(days=10))
    ids = {
        # 200 days: past the conversations' limit, within the cases' limit.
        "closed_200": world.add_case(
            "web-c200",
            "socketio",
            {"request": "x"},
            [("shopper", "a")],
            at=NOW - timedelta(days=200),
        ),
        "open_500": world.add_case(
            "web-o500",
            "socketio",
            {"request": "y"},
            [("shopper", "b")],
            at=NOW - timedelta(days=500),
            status=CaseStatus.waiting,
        ),
    }
    with world.stores.backoffice() as db:
        for days in (400, 10):
            db.add(
                PrivacyAudit(
                    at=NOW - timedelta(days=days),
                    actor="a",
                    origin="cli",
                    action="export",
                    criteria="email",
                    counts={},
                )
            )
        db.commit()
    forgotten.record(
        ["web-gone-old"], world.settings.forgotten_db, at=(NOW - timedelta(days=400)).timestamp()
    )
    forgotten.record(
        ["web-gone-new"], world.settings.forgotten_db, at=(NOW - timedelta(days=3)).timestamp()
    )
    return ids


def test_purge_deletes_what_is_past_its_limit_and_keeps_the_rest(world: World) -> None:
    ids = _world_of_ages(world)
    dry = purge(world.stores, LIMITS, NOW, dry_run=True)
    assert dry == {
        "conversations": 2,
        "cases": 1,
        "case_messages": 3,
        "case_notes": 0,
        "audit_entries": 1,
        "feedback": 1,
        "delay_notices": 2,  # Marie's followed order and its notice, with her conversation
        "photos": 0,  # (tests/backoffice/test_attachments.py)
        "email_replies": 0,  # (tests/backoffice/test_mail.py)
    }
    assert world.leftovers(MARIE)  # a dry run deletes nothing

    counts = purge(world.stores, LIMITS, NOW)

    assert counts["conversations"] == 2 and counts["cases"] == 1 and counts["feedback"] == 1
    assert counts["audit_entries"] == 1 and counts["forgotten"] == 1
    assert counts["delay_notices"] == 2
    assert world.leftovers(MARIE) == []
    paul = find(world.stores, Criteria.build(emails=[PAUL.email]))
    assert paul.conversation_ids == sorted([PAUL.web, PAUL.telegram])
    assert len(paul.cases) == 1 and len(paul.feedback) == 1
    with world.stores.backoffice() as db:
        kept = {c.id for c in db.scalars(sa.select(Handoff))}
        audit_ages = [(NOW - a.at).days for a in db.scalars(sa.select(PrivacyAudit))]
    # A closed case of 200 days stays (cases: 365); an open case stays whatever its age.
    assert {ids["closed_200"], ids["open_500"]} <= kept
    assert audit_ages == [10]
    assert forgotten.was_erased("web-gone-new", world.settings.forgotten_db)
    assert not forgotten.was_erased("web-gone-old", world.settings.forgotten_db)


def test_the_schedule_runs_when_due_once_and_survives_a_restart(world: World) -> None:
    _world_of_ages(world)
    settings = world.settings.model_copy(update={"purge_every_hours": 24.0})

    first = run_if_due(settings, world.stores, NOW)
    assert first is not None and first["conversations"] == 2
    assert world.leftovers(MARIE) == []
    # Just after (or after a restart): not due, nothing runs.
    assert run_if_due(settings, world.stores, NOW + timedelta(hours=1)) is None
    # A day later it is due again.
    assert run_if_due(settings, world.stores, NOW + timedelta(hours=24)) is not None
    with world.stores.backoffice() as db:
        runs = db.scalars(
            sa.select(PrivacyAudit).where(PrivacyAudit.action == "purge").order_by(PrivacyAudit.id)
        ).all()
        last = db.get(PrivacySchedule, "purge")
    assert [(r.actor, r.origin) for r in runs] == [("planificateur", "schedule")] * 2
    assert last is not None and last.last_run_at == NOW + timedelta(hours=24)


def test_the_back_office_runs_the_purge_at_start_up(world: World) -> None:
    _world_of_ages(world)
    settings = world.settings.model_copy(update={"purge_every_hours": 24.0})
    clock = _Clock(NOW)
    app = create_app(settings, kb=object(), clock=clock)
    app.state.purge_delay = 0.0
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        deadline = time.monotonic() + 20
        while world.leftovers(MARIE) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert world.leftovers(MARIE) == []
    assert len(find(world.stores, Criteria.build(emails=[PAUL.email])).conversation_ids) == 2

    # Restarted an hour later: the purge ran already, it does not run again.
    world.add_shopper(MARIE, NOW - timedelta(days=400))
    clock.now = NOW + timedelta(hours=1)
    app = create_app(settings, kb=object(), clock=clock)
    app.state.purge_delay = 0.0
    with TestClient(app) as client:
        client.get("/healthz")
        time.sleep(0.5)
    assert world.leftovers(MARIE)
    with world.stores.backoffice() as db:
        purges = db.scalars(sa.select(PrivacyAudit).where(PrivacyAudit.action == "purge")).all()
    assert len(purges) == 1


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
