"""The dashboard's copy and figures on a real PostgreSQL (tracker store and back office), on the
same seeded history as test_dashboard.py: the same figures, and a second pass changes nothing."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.backoffice.analytics import figures
from bot.backoffice.analytics.refresh import refresh
from bot.backoffice.db import make_engine, make_sessionmaker, migrate
from bot.backoffice.tracker_events import tracker_engine

from .test_dashboard import NOW, history, seed_cases, write_events

PARIS = ZoneInfo("Europe/Paris")


def test_copy_and_figures_on_postgresql(postgres_url: str) -> None:
    migrate(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)
    write_events(postgres_url, history())
    seed_cases(sessions)
    with tracker_engine(postgres_url) as tracker:
        first = refresh(sessions, tracker, PARIS, NOW, batch=50)  # several batches
        again = refresh(sessions, tracker, PARIS, NOW)
    assert first.events > 150 and again.events == 0
    query = figures.Query(date(2026, 11, 1), date(2026, 11, 30), "week")
    with sessions() as db:
        data = figures.dashboard(db, query, NOW)
        rows = db.scalar(sa.text("SELECT count(*) FROM conversation_facts"))
    t = data["totals"]
    assert rows == 13  # C0 to C10, C7b, and C4's second rating question
    assert (t["conversations"], t["handed_off"], t["abandoned"]) == (11, 7, 2)
    assert (t["rating_questions"], t["ratings"], t["ratings_good"]) == (6, 3, 2)
    assert t["first_response_median"] == pytest.approx(210)
    assert t["resolution_p90"] == pytest.approx(89940)
    assert (t["fcr_cases"], t["fcr_resolved"]) == (4, 2)
    assert {p["period"]: p["conversations"] for p in data["periods"]}["2026-11-16"] == 4
    assert data["waiting_now"]["count"] == 1
    assert [i["name"] for i in data["intents"]][:3] == ["rate", "greet", "human_handoff"]
    engine.dispose()


def test_a_page_copies_a_few_batches_and_leaves_the_rest(postgres_url: str) -> None:
    """The first copy of a big tracker is the background task's: a bounded pass stops early,
    is not stamped as up to date, and the next passes go on from where it stopped."""
    from bot.backoffice.analytics.refresh import refreshed_at

    migrate(postgres_url)
    engine = make_engine(postgres_url)
    sessions = make_sessionmaker(engine)
    write_events(postgres_url, history())
    with tracker_engine(postgres_url) as tracker:
        partial = refresh(sessions, tracker, PARIS, NOW, batch=20, max_batches=2)
        assert (partial.events, partial.complete) == (40, False)
        assert refreshed_at(sessions) is None
        rest = refresh(sessions, tracker, PARIS, NOW, batch=20)
        assert rest.complete and rest.events > 100
    assert refreshed_at(sessions) == NOW
    query = figures.Query(date(2026, 11, 1), date(2026, 11, 30))
    with sessions() as db:
        assert figures.dashboard(db, query, NOW)["totals"]["conversations"] == 11
    engine.dispose()
