"""python -m bot.tools.bench.dashboard [--conversations 100000] [--runs 7]

The dashboard at scale (issue 15): a throw-away PostgreSQL gets a synthetic history (history.py:
~20 events per conversation, a quarter handed to the team, over 90 days) in a tracker database
and its cases in a back-office database; the copy into `conversation_facts` is timed from
scratch, then the figures (28 days and 90 days) and the whole page (login, HTML, with its
incremental copy check) are timed over a few runs. Its section goes into reports/bench.json
("dashboard") and reports/bench.md (between markers); `make bench` runs it too."""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.settings import ROOT

from . import sections
from .history import generate
from .postgres import NoPostgres, local_postgres

REPORTS = ROOT / "reports"
START, END = sections.markers("dashboard")
END_AT = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
DAYS = 90
FULL_SIZE = 100_000
PASSWORD = "mot-de-passe-du-banc"


def log(message: str) -> None:
    print(f"[bench.dashboard {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered) + 0.5) - 1)]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "runs": len(ordered),
    }


def _timed(work: Callable[[], Any], runs: int) -> dict[str, float]:
    work()  # warm: caches, plans
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        samples.append(time.perf_counter() - began)
    return _stats(samples)


def load_history(tracker_url: str, backoffice_url: str, conversations: int) -> dict[str, int]:
    """COPY the synthetic history in; returns how many rows of each."""
    from bot.backoffice.db import migrate
    from bot.backoffice.tracker_events import metadata

    tracker = sa.create_engine(tracker_url)
    metadata.create_all(tracker)
    migrate(backoffice_url)
    backoffice = sa.create_engine(backoffice_url)
    columns = {
        "events": "id, sender_id, type_name, timestamp, intent_name, action_name, data",
        "handoffs": "id, conversation_id, channel, reason, priority, status, summary, mood, "
        "assigned_to, created_at, updated_at, resolved_at, rating, rated_at",
        "handoff_messages": "id, handoff_id, sender, text, author_id, at",
    }
    raw_tracker, raw_backoffice = tracker.raw_connection(), backoffice.raw_connection()
    try:
        tc, bc = raw_tracker.cursor(), raw_backoffice.cursor()
        for events, cases, messages in generate(conversations, DAYS, END_AT):
            for cursor, table, text in (
                (tc, "events", events),
                (bc, "handoffs", cases),
                (bc, "handoff_messages", messages),
            ):
                if text:
                    with cursor.copy(f"COPY {table} ({columns[table]}) FROM STDIN") as copy:
                        copy.write(text)
        for cursor, table in ((tc, "events"), (bc, "handoffs"), (bc, "handoff_messages")):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        raw_tracker.commit()
        raw_backoffice.commit()
    finally:
        raw_tracker.close()
        raw_backoffice.close()
    counts = {}
    with tracker.connect() as c:
        counts["events"] = int(c.execute(sa.text("SELECT count(*) FROM events")).scalar_one())
        c.execute(sa.text("ANALYZE events"))
    with backoffice.connect() as c:
        counts["cases"] = int(c.execute(sa.text("SELECT count(*) FROM handoffs")).scalar_one())
    tracker.dispose()
    backoffice.dispose()
    return counts


def measure(conversations: int, runs: int) -> dict[str, Any]:
    from bot.backoffice.analytics import figures
    from bot.backoffice.analytics.refresh import refresh
    from bot.backoffice.db import make_engine, make_sessionmaker
    from bot.backoffice.tracker_events import tracker_engine

    result: dict[str, Any] = {"conversations": conversations, "days": DAYS}
    try:
        server = local_postgres()
        url = server.__enter__()
    except NoPostgres as missing:
        return {**result, "skipped": str(missing)}
    try:
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text("CREATE DATABASE tracker"))
            c.execute(sa.text("CREATE DATABASE backoffice"))
        admin.dispose()
        tracker_url = url.rsplit("/", 1)[0] + "/tracker"
        backoffice_url = url.rsplit("/", 1)[0] + "/backoffice"
        began = time.perf_counter()
        result.update(load_history(tracker_url, backoffice_url, conversations))
        result["generate_s"] = round(time.perf_counter() - began, 1)
        log(
            f"history: {result['events']} events, {result['cases']} cases, {result['generate_s']} s"
        )

        engine = make_engine(backoffice_url)
        sessions = make_sessionmaker(engine)
        zone = ZoneInfo("Europe/Paris")
        with tracker_engine(tracker_url) as tracker:
            copied = refresh(sessions, tracker, zone, END_AT)
            result["copy_from_scratch_s"] = round(copied.seconds, 1)
            result["copy_events_per_s"] = round(copied.events / max(copied.seconds, 1e-9))
            log(f"copy: {copied.events} events in {copied.seconds:.1f} s")
            result["copy_nothing_new"] = _timed(
                lambda: refresh(sessions, tracker, zone, END_AT), runs
            )
        with engine.connect() as c:
            c.execute(sa.text("ANALYZE conversation_facts"))
            c.execute(sa.text("ANALYZE conversation_counts"))
            c.commit()
        today = END_AT.astimezone(zone).date()

        def figures_over(days: int) -> Callable[[], Any]:
            query = figures.Query(today - timedelta(days=days - 1), today, "day")

            def work() -> Any:
                with sessions() as db:
                    return figures.dashboard(db, query, END_AT)

            return work

        result["figures_28_days"] = _timed(figures_over(28), runs)
        result["figures_90_days"] = _timed(figures_over(90), runs)
        spoke = figures_over(90)()["totals"]["conversations"]
        result["conversations_in_90_days"] = spoke
        result["page_90_days"] = _timed(_page(tracker_url, backoffice_url, today), runs)
        engine.dispose()
        log(f"figures 90 days {result['figures_90_days']}, page {result['page_90_days']}")
    finally:
        server.__exit__(None, None, None)
    return result


def _page(tracker_url: str, backoffice_url: str, today: date) -> Callable[[], Any]:
    """GET /dashboard (90 days) as a logged-in manager, through the whole app (its copy check
    included: dashboard_stale_seconds=0)."""
    from fastapi.testclient import TestClient

    from bot.backoffice.app import create_app
    from bot.backoffice.db import User
    from bot.backoffice.security import hash_password
    from bot.settings import Settings

    settings = Settings(
        backoffice_db_url=backoffice_url,
        tracker_db_url=tracker_url,
        session_secret="b" * 40,
        rasa_token="bench",
        service_token="bench",
        dashboard_refresh_seconds=0,
        dashboard_stale_seconds=0,
    )
    app = create_app(settings, kb=SimpleNamespace(), clock=lambda: END_AT, run_migrations=False)
    with app.state.sessions() as db:
        db.add(
            User(
                email="gerante@bench.test",
                display_name="Gérante",
                role="manager",
                password_hash=hash_password(PASSWORD),
                active=True,
            )
        )
        db.commit()
    client = TestClient(app, base_url="http://127.0.0.1")  # no lifespan: no background tasks
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert csrf, "no CSRF token on the login page"
    client.post(
        "/login",
        data={"email": "gerante@bench.test", "password": PASSWORD, "csrf_token": csrf.group(1)},
    )
    start = (today - timedelta(days=DAYS - 1)).isoformat()
    path = f"/dashboard?du={start}&au={today.isoformat()}"

    def work() -> None:
        response = client.get(path, headers={"accept": "text/html"})
        assert response.status_code == 200 and 'data-figure="csat"' in response.text

    return work


def markdown(section: dict[str, Any]) -> list[str]:
    """The report's lines for this section (between markers, so it can be replaced alone)."""
    lines = [START, "", "## Dashboard (`python -m bot.tools.bench.dashboard`)", ""]
    if "skipped" in section:
        return lines + [f"Skipped: {section['skipped']}", "", END]
    lines += [
        f"PostgreSQL on this machine, {section['conversations']:,} conversations over "
        f"{section['days']} days: {section['events']:,} tracker events, {section['cases']:,} "
        f"cases, generated (COPY) in {section['generate_s']} s. First copy of the whole tracker "
        f"into conversation_facts: {section['copy_from_scratch_s']} s "
        f"({section['copy_events_per_s']:,} events/s; once, then incremental).",
        "",
        "| what | median ms | p95 ms |",
        "|---|---|---|",
    ]
    for key, label in (
        ("copy_nothing_new", "incremental copy, nothing new"),
        ("figures_28_days", "figures, 28 days"),
        ("figures_90_days", f"figures, 90 days ({section['conversations_in_90_days']:,} conv.)"),
        ("page_90_days", "whole page, 90 days (login session, HTML, copy check)"),
    ):
        row = section[key]
        lines.append(f"| {label} | {row['median_ms']} | {row['p95_ms']} |")
    return lines + ["", f"{section['page_90_days']['runs']} timed runs after one warm-up.", "", END]


def merge(section: dict[str, Any], out_json: Path, out_md: Path) -> None:
    """Put the section into an existing report (or start one)."""
    sections.merge("dashboard", section, markdown(section), out_json, out_md)
    log(f"wrote the dashboard section into {out_json} and {out_md}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.bench.dashboard")
    parser.add_argument("--conversations", type=int, default=FULL_SIZE)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out-json", type=Path, default=REPORTS / "bench.json")
    parser.add_argument("--out-md", type=Path, default=REPORTS / "bench.md")
    args = parser.parse_args(argv)
    section = measure(args.conversations, args.runs)
    merge(section, args.out_json, args.out_md)
    print(json.dumps(section))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
