"""The back office on a real PostgreSQL: its own server in a tmp dir, migrations, a hand-off
round trip through the app. Skipped only when PostgreSQL's server binaries are missing
(the `postgres_url` fixture is in tests/conftest.py)."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text

from bot.backoffice.app import create_app
from bot.backoffice.db import Handoff, User
from bot.kb.service import KnowledgeBase
from bot.settings import Settings

from .conftest import HASH, PASSWORD, SERVICE_TOKEN, Clock, RasaStandIn, page_csrf


def test_migrations_and_handoff_round_trip_on_postgresql(
    postgres_url: str, settings: Settings, kb: KnowledgeBase, clock: Clock, rasa: RasaStandIn
) -> None:
    app = create_app(settings.model_copy(update={"backoffice_db_url": postgres_url}), kb=kb,
                     clock=clock)
    auth = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    with TestClient(app) as client:
        engine = create_engine(postgres_url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")
                                      ).scalar() == "0001"
        assert {"users", "handoffs", "handoff_messages", "faq_changes"} <= set(
            inspect(engine).get_table_names())
        engine.dispose()
        with app.state.sessions() as db:
            db.add(User(email="agent@boutique.fr", display_name="Alice", role="agent",
                        password_hash=HASH, active=True, last_seen=clock.now))
            db.commit()
        payload = {"conversation_id": "pg-1", "reason": "upset", "priority": 1,
                   "summary": {"request": "Colis abîmé", "last_messages": [
                       {"sender": "shopper", "text": "c'est inadmissible"}]}, "mood": "fâché"}
        first = client.post("/api/handoffs", json=payload, headers=auth)
        assert first.status_code == 201, first.text
        ticket = first.json()
        assert ticket["agents_online"] == 1 and ticket["expected_wait_minutes"] == 5
        assert client.post("/api/handoffs", json=payload, headers=auth).json()["id"] == \
            ticket["id"]
        assert client.post("/api/handoffs/pg-1/messages", json={"text": "Allô ?"},
                           headers=auth).status_code == 202
        csrf = page_csrf(client.get("/login").text)
        client.post("/login", data={"email": "agent@boutique.fr", "password": PASSWORD,
                                    "csrf_token": csrf})
        page = client.get(f"/inbox/{ticket['id']}").text
        assert "Allô ?" in page and "Colis abîmé" in page and "fâché" in page
        csrf = page_csrf(page)
        assert client.post(f"/inbox/{ticket['id']}/reply", data={
            "text": "Je m'en occupe.", "csrf_token": csrf}, follow_redirects=False
        ).status_code == 303
        client.post(f"/inbox/{ticket['id']}/resolve", data={"csrf_token": csrf})
        assert client.post("/api/handoffs/pg-1/rating", json={"rating": 5},
                           headers=auth).status_code == 204
        with app.state.sessions() as db:
            handoff = db.get(Handoff, ticket["id"])
            assert (handoff.status, handoff.rating, handoff.created_at) == (
                "resolved", 5, clock.now)
            assert [m.sender for m in handoff.messages] == ["shopper", "agent", "system"]
            assert handoff.summary["last_messages"][0]["text"] == "c'est inadmissible"
    assert [c.params["name"] for c in rasa.triggers()] == ["agent_reply", "handoff_resolved"]
