"""The dashboard on a seeded history whose figures are known by construction: Rasa events in a
SQLite tracker store with Rasa's column layout, cases in the back office's database. Every
figure is checked through the JSON twin, the page and the CSV; then the copy's increments,
roles and privacy.

The history (UTC; Paris is UTC+1 in November), `NOW` = Monday 30/11/2026 12:00 UTC:
  C0  web-old    20/10 socketio  greet, goodbye                      outside the range
  C1  web-a      10/11 socketio  FAQ « livraison », 👍               bot alone
  C2  web-b      10/11 socketio  order form asks a number, silence  bot alone, abandoned
  C3  telegram-1 11/11 22:50     (23:50 Paris, ends after midnight) asked -> case: reply
                                  5 min, resolved 20 min, rating 5
  C4  web-c      16/11 socketio  upset -> case: reply 10 min, resolved 30 min, typed "2",
                                  reopened 17/11 08:30, resolved again 17/11 09:00 (the 17/11
                                  session only holds the second, unanswered rating question)
  C5  web-d      15/11 23:30 UTC (Monday 16/11 00:30 Paris: the next week) not understood
                                  -> case still waiting
  C6  facebook-1 20/11 facebook  failed checks -> case: reply 2 min, handed back; then "5"
                                  typed with no rating question (not counted)
  C7  web-f      21/11 socketio  shop down -> case: reply 1 min, resolved 1 h, no rating;
                                  the shopper came back two days later:
  C7b web-f      23/11 socketio  asked -> case: reply 15 min, resolved 2 h, no rating
  C8  telegram-2 28/11 telegram  asked -> case: reply 30 s, resolved 10 min, rating 4
                                  (resolved < 7 days ago: not yet in first-contact resolution)
  C9  web-g      25/11 socketio  FAQ « retours », 👎, goodbye         bot alone
  C10 web-h      29/11 23:30 UTC (30/11 Paris) menu buttons, silence  bot alone, abandoned
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.backoffice import cases
from bot.backoffice.analytics import figures
from bot.backoffice.db import DashboardCursor, Handoff, HandoffMessage, Role, User
from bot.backoffice.tracker_events import events as events_table
from bot.backoffice.tracker_events import metadata as tracker_metadata
from bot.core.handoff import CaseStatus, Reason
from bot.settings import Settings
from bot.tools.bench.history import (
    CHOICES,
    action,
    bot,
    external,
    faq_answer,
    handoff,
    rasa_row,
    rating,
    resolved,
    session_start,
    slot,
    ts,
    user,
)

from .conftest import RASA_TOKEN, SERVICE_TOKEN, BackOffice, Clock, RasaStandIn

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
RANGE = "du=2026-11-01&au=2026-11-30"


def at(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=timezone.utc)


def history() -> dict[str, list[dict[str, Any]]]:
    """sender -> its events, in order (see the module's docstring)."""
    web, tg, fb = "socketio", "telegram", "facebook"
    h: dict[str, list[dict[str, Any]]] = {}
    t = ts(at(20, 10, month=10))
    h["web-old"] = [
        *session_start(t),
        user("Bonjour", t + 1, "greet", web),
        bot("Bonjour !", t + 2),
        user("au revoir", t + 30, "goodbye", web),
        bot("Au revoir !", t + 31),
    ]
    t = ts(at(10, 10))
    h["web-a"] = [
        *session_start(t),
        user("Bonjour", t + 1, "greet", web),
        bot("Bonjour !", t + 2),
        *faq_answer(t + 10, "livraison", "delai-livraison", True, web),
    ]
    t = ts(at(10, 14))
    h["web-b"] = [
        *session_start(t),
        user("où est ma commande ?", t + 1, "track_order", web),
        action("track_order_form", t + 1.2),
        {"event": "active_loop", "timestamp": t + 1.2, "name": "track_order_form"},
        slot("requested_slot", "order_number", t + 1.2),
        bot("Quel est votre numéro de commande ?", t + 1.3, None, "utter_ask_order_number"),
        action("action_listen", t + 1.4),
    ]
    t = ts(at(11, 22, 50))
    h["telegram-1"] = [
        *session_start(t),
        user("Bonjour", t + 1, "greet", tg),
        bot("Bonjour !", t + 2, CHOICES),
        *handoff(ts(at(11, 22, 52)), "human_handoff", tg),
        external("agent_reply", ts(at(11, 22, 57))),
        bot("Julie : je regarde", ts(at(11, 22, 57)) + 0.2),
        *resolved(ts(at(11, 23, 12))),
        *rating(ts(at(11, 23, 13)), 5, tg),
    ]
    t = ts(at(16, 8))
    h["web-c"] = [
        *session_start(t),
        user("C'est inadmissible", t + 30, "complain", web),
        bot("Je comprends.", t + 31),
        *handoff(ts(at(16, 8, 1)), "complain", web),
        *resolved(ts(at(16, 8, 31))),
        *rating(ts(at(16, 8, 32)), 2, web, typed=True),
        *session_start(ts(at(17, 9))),
        *resolved(ts(at(17, 9)) + 1),
    ]
    t = ts(at(15, 23, 30))
    h["web-d"] = [
        *session_start(t),
        user("zzzz", t + 10, "nlu_fallback", web),
        action("action_fallback", t + 10.2),
        bot("Je n'ai pas compris.", t + 10.3, CHOICES),
        action("action_listen", t + 10.4),
        *handoff(ts(at(15, 23, 35)), "nlu_fallback", web),
    ]
    t = ts(at(20, 12))
    h["facebook-1"] = [
        *session_start(t),
        user("ma commande", t + 1, "order_status", fb),
        bot("Votre e-mail ?", t + 2),
        *handoff(ts(at(20, 12, 2)), "inform", fb),
        external("handoff_returned", ts(at(20, 12, 20))),
        action("action_handoff_returned", ts(at(20, 12, 20)) + 0.1),
        bot("Je reprends la conversation.", ts(at(20, 12, 20)) + 0.2),
        slot("handoff_active", False, ts(at(20, 12, 20)) + 0.2),
        *rating(ts(at(20, 12, 25)), 5, fb, typed=True),
    ]
    t = ts(at(21, 9))
    h["web-f"] = [
        *session_start(t),
        *handoff(t + 1, "order_status", web),
        *resolved(ts(at(21, 10))),
        *session_start(ts(at(23, 8))),
        *handoff(ts(at(23, 8)) + 1, "human_handoff", web),
        *resolved(ts(at(23, 10))),
    ]
    t = ts(at(28, 15))
    h["telegram-2"] = [
        *session_start(t),
        *handoff(t + 1, "human_handoff", tg),
        *resolved(ts(at(28, 15, 10))),
        *rating(ts(at(28, 15, 11)), 4, tg),
    ]
    t = ts(at(25, 16))
    h["web-g"] = [
        *session_start(t),
        *faq_answer(t + 1, "retours", "retour-delai", False, web),
        user("merci au revoir", t + 60, "goodbye", web),
        bot("Au revoir !", t + 61),
    ]
    t = ts(at(29, 23, 30))
    h["web-h"] = [
        *session_start(t),
        user("Bonjour", t + 1, "greet", web),
        bot("Bonjour ! Que puis-je faire ?", t + 1.5, CHOICES),
        action("action_listen", t + 1.6),
    ]
    return h


def write_events(url: str, senders: dict[str, list[dict[str, Any]]]) -> None:
    """Append these events to the tracker store (interleaved by time, as Rasa would)."""
    engine = sa.create_engine(url)
    tracker_metadata.create_all(engine)
    rows = sorted(
        (
            (event["timestamp"], n, sender, event)
            for sender, evs in senders.items()
            for n, event in enumerate(evs)
        ),
        key=lambda item: (item[0], item[1]),
    )
    with engine.begin() as connection:
        connection.execute(events_table.insert(), [rasa_row(s, e) for _, _, s, e in rows])
    engine.dispose()


def add_case(
    db: Any,
    conversation: str,
    channel: str,
    reason: Reason,
    created: datetime,
    reply: datetime | None,
    status: CaseStatus,
    closed: datetime | None = None,
) -> Handoff:
    case = Handoff(
        conversation_id=conversation,
        channel=channel,
        reason=reason.value,
        priority=3,
        status=status,
        summary={},
        created_at=created,
        updated_at=closed or reply or created,
        resolved_at=closed if status is CaseStatus.resolved else None,
    )
    db.add(case)
    db.flush()
    db.add(HandoffMessage(handoff_id=case.id, sender="shopper", text="…", at=created))
    # The bot's own answers while the case waits are not the team's first response.
    db.add(HandoffMessage(handoff_id=case.id, sender="system", text="Bot", at=created))
    if reply is not None:
        db.add(HandoffMessage(handoff_id=case.id, sender="agent", text="Bonjour", at=reply))
    db.commit()
    return case


def seed_cases(sessions: Any) -> None:
    """The back office's side of the history (see the module's docstring)."""
    with sessions() as db:
        agent = User(
            email="julie@boutique.fr",
            display_name="Julie",
            role=Role.agent.value,
            password_hash="x",
            active=True,
        )
        db.add(agent)
        db.commit()
        r, w = CaseStatus.resolved, CaseStatus.waiting
        add_case(
            db,
            "telegram-1",
            "telegram",
            Reason.asked,
            at(11, 22, 52),
            at(11, 22, 57),
            r,
            at(11, 23, 12),
        )
        upset = add_case(
            db, "web-c", "socketio", Reason.upset, at(16, 8, 1), at(16, 8, 11), r, at(16, 8, 31)
        )
        cases.reopen(db, upset, agent, at(17, 8, 30), to_me=True)  # the real note
        cases.resolve(db, upset, agent, at(17, 9))
        add_case(db, "web-d", "socketio", Reason.unsure, at(15, 23, 35), None, w)
        add_case(
            db,
            "facebook-1",
            "facebook",
            Reason.verification,
            at(20, 12, 2),
            at(20, 12, 4),
            CaseStatus.returned,
            at(20, 12, 20),
        )
        add_case(db, "web-f", "socketio", Reason.shop_down, at(21, 9), at(21, 9, 1), r, at(21, 10))
        add_case(db, "web-f", "socketio", Reason.asked, at(23, 8), at(23, 8, 15), r, at(23, 10))
        add_case(
            db,
            "telegram-2",
            "telegram",
            Reason.asked,
            at(28, 15),
            at(28, 15, 0, 30),
            r,
            at(28, 15, 10),
        )


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def settings(tmp_path: Path, rasa: RasaStandIn) -> Settings:
    return Settings(
        backoffice_db_url=f"sqlite:///{tmp_path / 'backoffice.db'}",
        tracker_db=tmp_path / "tracker.db",
        faq_feedback_file=tmp_path / "feedback.jsonl",
        forgotten_db=tmp_path / "forgotten.db",
        attachments_dir=tmp_path / "attachments",
        rasa_url=rasa.url,
        rasa_token=RASA_TOKEN,
        service_token=SERVICE_TOKEN,
        session_secret="x" * 40,
        backoffice_public_url="http://bo.example.test",
        alert_telegram_token="",
        alert_telegram_chat_id="",
        dashboard_refresh_seconds=0,  # no background copy: each page copies what is new
        dashboard_stale_seconds=0,
    )


@pytest.fixture
def seeded(bo: BackOffice, settings: Settings) -> Iterator[BackOffice]:
    write_events(settings.tracker_url, history())
    seed_cases(bo.app.state.sessions)
    bo.add_user("owner@boutique.fr", Role.manager.value, "Olivia Gérante")
    bo.login("owner@boutique.fr")
    yield bo


def figures_of(bo: BackOffice, query: str = RANGE) -> dict[str, Any]:
    response = bo.client.get(f"/dashboard.json?{query}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_every_figure_of_the_seeded_history(seeded: BackOffice) -> None:
    data = figures_of(seeded)
    t = data["totals"]
    assert t["conversations"] == 11  # C0 is before the range; C4's 17/11 session has no message
    assert t["handed_off"] == 7
    assert t["containment"] == pytest.approx(4 / 11)
    assert t["handoff_rate"] == pytest.approx(7 / 11)
    assert t["abandoned"] == 2 and t["abandonment"] == pytest.approx(2 / 11)
    # Ratings: C3 5, C4 "2" typed, C8 4; questions: C3, C4 twice, C7, C7b, C8. C6's "5" without
    # a question is not a rating.
    assert (t["rating_questions"], t["ratings"], t["ratings_good"]) == (6, 3, 2)
    assert t["csat"] == pytest.approx(2 / 3)
    assert t["rating_response"] == pytest.approx(0.5)
    # First response (s): C3 300, C4 600, C6 120, C7 60, C7b 900, C8 30 (C5: nobody yet).
    assert t["cases_with_reply"] == 6
    assert t["first_response_median"] == pytest.approx(210)
    assert t["first_response_p90"] == pytest.approx(900)
    # Resolution (s): C3 1200, C4 89,940 (created 16/11 08:01, last resolved 17/11 09:00),
    # C7 3600, C7b 7200, C8 600; C6 was handed back, not resolved.
    assert t["cases_resolved"] == 5
    assert t["resolution_median"] == pytest.approx(3600)
    assert t["resolution_p90"] == pytest.approx(89940)
    # First contact: resolved more than 7 days ago: C3, C4 (reopened), C7 (came back), C7b.
    assert (t["fcr_cases"], t["fcr_resolved"]) == (4, 2)
    assert t["fcr"] == pytest.approx(0.5)
    assert (t["kb_answers"], t["kb_helpful"], t["kb_unhelpful"]) == (2, 1, 1)
    assert t["kb_helpful_rate"] == pytest.approx(0.5)
    assert t["fallbacks"] == 1

    reasons = {r["reason"]: r["count"] for r in data["reasons"]}
    assert reasons == {
        "asked": 3,
        "upset": 1,
        "unsure": 1,
        "verification": 1,
        "shop_down": 1,
        "not_supported": 0,
    }
    assert data["waiting_now"]["count"] == 1
    assert data["waiting_now"]["longest_s"] == pytest.approx((NOW - at(15, 23, 35)).total_seconds())
    assert [(i["name"], i["count"]) for i in data["intents"]] == [
        ("rate", 4),
        ("greet", 3),
        ("human_handoff", 3),
        ("complain", 2),
        ("faq", 2),
        ("faq_feedback", 2),
        ("nlu_fallback", 2),
        ("order_status", 2),
        ("goodbye", 1),
        ("inform", 1),
        ("track_order", 1),
    ]
    assert [(s["name"], s["count"], s["helpful"], s["unhelpful"]) for s in data["topics"]] == [
        ("livraison", 1, 1, 0),
        ("retours", 1, 0, 1),
    ]
    channels = data["channels"]
    assert {name: c["conversations"] for name, c in channels.items()} == {
        "facebook": 1,
        "socketio": 8,
        "telegram": 2,
    }
    assert channels["socketio"]["containment"] == pytest.approx(0.5)
    assert channels["telegram"]["csat"] == pytest.approx(1.0)


def test_days_follow_paris_time_and_weeks_start_on_monday(seeded: BackOffice) -> None:
    days = {p["period"]: p for p in figures_of(seeded)["periods"]}
    assert len(days) == 30
    assert days["2026-11-10"]["conversations"] == 2 and days["2026-11-10"]["abandoned"] == 1
    assert days["2026-11-11"]["conversations"] == 1  # 23:50 Paris, ended after midnight
    assert days["2026-11-12"]["conversations"] == 0
    assert days["2026-11-15"]["conversations"] == 0  # 23:30 UTC is already Monday in Paris
    assert days["2026-11-16"]["conversations"] == 2
    assert days["2026-11-17"]["conversations"] == 0
    assert days["2026-11-17"]["rating_questions"] == 1  # the reopened case's second question
    assert days["2026-11-29"]["conversations"] == 0
    assert days["2026-11-30"]["conversations"] == 1

    weeks = figures_of(seeded, RANGE + "&par=semaine")
    assert weeks["grain"] == "week"
    assert {p["period"]: p["conversations"] for p in weeks["periods"]} == {
        "2026-10-26": 0,
        "2026-11-02": 0,
        "2026-11-09": 3,
        "2026-11-16": 4,
        "2026-11-23": 3,
        "2026-11-30": 1,
    }
    week = {p["period"]: p for p in weeks["periods"]}["2026-11-16"]
    assert week["handed_off"] == 4 and week["first_response_median"] == pytest.approx(
        120
    )  # 60 120 600


def test_a_channel_and_a_shorter_range(seeded: BackOffice) -> None:
    telegram = figures_of(seeded, RANGE + "&canal=telegram")["totals"]
    assert (telegram["conversations"], telegram["handed_off"], telegram["ratings"]) == (2, 2, 2)
    assert telegram["first_response_median"] == pytest.approx(165)  # 300 and 30
    october = figures_of(seeded, "du=2026-10-01&au=2026-10-31")["totals"]
    assert october["conversations"] == 1 and october["handed_off"] == 0


def kpis(html: str) -> dict[str, str]:
    found = re.findall(r'<dd data-figure="([a-z_]+)">([^<]*)</dd>', html)
    return {name: value.replace("\u00a0", " ").replace("\u202f", " ") for name, value in found}


def test_the_page_shows_the_figures_and_the_help(seeded: BackOffice) -> None:
    response = seeded.client.get(f"/dashboard?{RANGE}", headers={"accept": "text/html"})
    assert response.status_code == 200
    html = response.text
    assert kpis(html) == {
        "conversations": "11",
        "containment": "36 %",
        "handoff_rate": "64 %",
        "csat": "67 %",
        "rating_response": "50 %",
        "fcr": "50 %",
        "abandonment": "18 %",
        "first_response_median": "3 min 30 s",
        "resolution_median": "1 h 00",
        "waiting_now": "1",
        "kb_helpful_rate": "50 %",
    }
    assert "90 % en moins de 15 min 00 s" in html.replace("\u00a0", " ")
    assert "90 % en moins de 24 h 59" in html.replace("\u00a0", " ")
    reasons = dict(
        re.findall(r'<tr data-reason="([a-z_]+)"><td[^>]*>[^<]*</td><td[^>]*>(\d+)', html)
    )
    assert reasons == {
        "asked": "3",
        "upset": "1",
        "unsure": "1",
        "verification": "1",
        "shop_down": "1",
        "not_supported": "0",
    }
    assert html.count('<svg class="chart"') == 3 and '<desc id="chart-periods-d">' in html
    for words in ("CSAT", "Chatwoot", "Rasa", "médiane", "90ᵉ centile", "7 jours", "Abandons"):
        assert words in html
    assert "Tableau de bord</a>" in html  # the manager's nav link
    assert "Chiffres à jour au 30/11/2026 à 13 h 00." in html  # the copy's time, Paris


def test_the_csv_holds_the_rows_behind_the_figures_and_no_text(seeded: BackOffice) -> None:
    response = seeded.client.get(f"/dashboard.csv?{RANGE}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(figures.CSV_COLUMNS)
    assert len(rows) == 12  # 11 conversations and C4's session of its second rating question
    spoke = [r for r in rows if int(r["user_messages"]) > 0]
    assert len(spoke) == 11
    assert sum(int(r["handoffs"]) > 0 for r in spoke) == 7
    assert sum(int(r["abandoned"]) for r in spoke) == 2
    assert sum(int(r["rating_questions"]) for r in rows) == 6
    assert sum(int(r["ratings_good"]) for r in rows) == 2
    assert sorted(float(r["first_response_s"]) for r in rows if r["first_response_s"]) == [
        30,
        60,
        120,
        300,
        600,
        900,
    ]
    c3 = next(r for r in rows if r["conversation_id"] == "telegram-1")
    assert c3["local_day"] == "2026-11-11" and c3["channel"] == "telegram"
    assert c3["started_at"].startswith("2026-11-11T22:50")
    assert c3["ended_at"].startswith("2026-11-11T23:13")
    c4 = next(r for r in rows if r["conversation_id"] == "web-c" and int(r["user_messages"]))
    assert (c4["reopened"], c4["came_back"], c4["resolution_s"]) == ("1", "1", "89940.0")
    # No message text, no e-mail: only ids, channels, times and counts.
    for word in ("Bonjour", "EXTERNAL", "inadmissible", "@", "livraison"):
        assert word not in response.text


def test_the_copy_is_incremental(seeded: BackOffice, settings: Settings) -> None:
    before = figures_of(seeded)["totals"]
    with seeded.db() as db:
        last = db.get(DashboardCursor, "tracker").last_event_id
        rows = db.scalar(sa.text("SELECT count(*) FROM conversation_facts"))
    # C10's shopper answers the menu after all (same session), and a new conversation starts.
    t = ts(at(29, 23, 40))
    write_events(
        settings.tracker_url,
        {
            "web-h": [user("Suivre ma commande", t, "track_order", "socketio")],
            "web-new": [
                *session_start(ts(at(30, 9))),
                user("Bonjour", ts(at(30, 9)) + 1, "greet", "telegram"),
                bot("Bonjour !", ts(at(30, 9)) + 2),
            ],
        },
    )
    # The waiting case gets its first reply: a case change, no tracker event.
    with seeded.db() as db:
        case = db.scalar(sa.select(Handoff).where(Handoff.conversation_id == "web-d"))
        db.add(HandoffMessage(handoff_id=case.id, sender="agent", text="Bonjour", at=at(30, 11)))
        case.updated_at = at(30, 11)
        db.commit()
    after = figures_of(seeded)["totals"]
    assert after["conversations"] == before["conversations"] + 1
    assert after["abandoned"] == before["abandoned"] - 1
    assert after["handed_off"] == before["handed_off"]
    assert after["cases_with_reply"] == before["cases_with_reply"] + 1
    with seeded.db() as db:
        assert db.get(DashboardCursor, "tracker").last_event_id == last + 6
        assert db.scalar(sa.text("SELECT count(*) FROM conversation_facts")) == rows + 1
        counts = db.execute(
            sa.text(
                "SELECT name, sum(n) FROM conversation_counts WHERE kind = 'intent' "
                "AND conversation_id = 'web-h' GROUP BY name ORDER BY name"
            )
        ).all()
        assert [tuple(c) for c in counts] == [("greet", 1), ("track_order", 1)]
    assert figures_of(seeded)["totals"] == after  # nothing new: nothing counted twice


def test_only_managers_and_admins_see_it(bo: BackOffice) -> None:
    bo.add_user("owner@boutique.fr", Role.manager.value, "Olivia Gérante")
    for email, allowed in (
        ("agent@boutique.fr", False),
        ("editor@boutique.fr", False),
        ("owner@boutique.fr", True),
        ("admin@boutique.fr", True),
    ):
        bo.client.cookies.clear()
        bo.login(email)
        for path in ("/dashboard", "/dashboard.json", "/dashboard.csv"):
            code = bo.client.get(path, headers={"accept": "text/html"}).status_code
            assert code == (200 if allowed else 403), (email, path)
        account = bo.client.get("/account", headers={"accept": "text/html"}).text
        assert ('href="/dashboard"' in account) is allowed
    # The manager sees the dashboard only (no inbox, FAQ, users).
    bo.client.cookies.clear()
    bo.login("owner@boutique.fr")
    for path in ("/inbox", "/faq", "/users"):
        assert bo.client.get(path, headers={"accept": "text/html"}).status_code == 403
    assert bo.client.get("/dashboard.json?du=hier").status_code == 400
    bo.client.cookies.clear()
    bo.login("admin@boutique.fr")
    users = bo.client.get("/users", headers={"accept": "text/html"}).text
    assert '<option value="manager"' in users and "responsable" in users


def test_every_reason_has_a_group() -> None:
    assert set(figures.REASON_GROUPS) == {r.value for r in Reason}


def test_an_erased_conversation_leaves_the_dashboard(
    seeded: BackOffice, settings: Settings
) -> None:
    from bot.privacy.criteria import Criteria
    from bot.privacy.service import Stores, erase, find

    assert figures_of(seeded)["totals"]["conversations"] == 11
    stores = Stores.from_settings(settings, seeded.app.state.engine)
    erase(stores, find(stores, Criteria.build(conversations=["telegram-1"])))
    with seeded.db() as db:
        for table in ("conversation_facts", "conversation_counts"):
            left = db.scalar(
                sa.text(f"SELECT count(*) FROM {table} WHERE conversation_id = 'telegram-1'")
            )
            assert left == 0
    assert figures_of(seeded)["totals"]["conversations"] == 10


def _events(sender: str, raw: list[dict[str, Any]]) -> list[Any]:
    from bot.backoffice.tracker_events import TrackerEvent

    return [
        TrackerEvent(
            id=n + 1,
            sender_id=sender,
            type_name=e["event"],
            timestamp=e["timestamp"],
            intent_name=(e.get("parse_data") or {}).get("intent", {}).get("name"),
            action_name=e.get("name"),
            data=e,
        )
        for n, e in enumerate(raw)
    ]


def test_one_rating_per_question_the_last_one_given() -> None:
    from zoneinfo import ZoneInfo

    from bot.backoffice.analytics.facts import conversation_facts

    t = ts(at(3, 10))
    twice = [*session_start(t), *resolved(t + 1), *rating(t + 5, 2, "socketio")]
    twice += rating(t + 9, 5, "socketio")  # changed their mind: 5 replaces 2
    elsewhere = [*session_start(t), *resolved(t + 1), user("et ma commande ?", t + 3, "track")]
    elsewhere += rating(t + 9, 5, "socketio")  # the question was left: not an answer to it
    paris = ZoneInfo("Europe/Paris")
    (one,) = conversation_facts(_events("a", twice), [], paris)
    assert (one.rating_questions, one.ratings, one.ratings_good) == (1, 1, 1)
    (other,) = conversation_facts(_events("b", elsewhere), [], paris)
    assert (other.rating_questions, other.ratings, other.ratings_good) == (1, 0, 0)


def test_every_intent_has_a_french_name_on_the_dashboard() -> None:
    """The "what shoppers ask" chart shows the intents of domain.yml by their French names."""
    import yaml

    from bot.backoffice.web import INTENTS_FR
    from bot.settings import ROOT

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    assert intents - set(INTENTS_FR) == set()
