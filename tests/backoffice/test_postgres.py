"""The back office on a real PostgreSQL: its own server in a tmp dir, migrations, a hand-off
round trip through the app. Skipped only when PostgreSQL's server binaries are missing
(the `postgres_url` fixture is in tests/conftest.py)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select, text

from bot.backoffice.app import create_app
from bot.backoffice.db import FaqChange, Handoff, User
from bot.kb.service import KnowledgeBase
from bot.settings import Settings

from .conftest import (
    HASH,
    PASSWORD,
    SERVICE_TOKEN,
    Clock,
    RasaStandIn,
    head_revision,
    page_csrf,
)


def test_migrations_and_handoff_round_trip_on_postgresql(
    postgres_url: str, settings: Settings, kb: KnowledgeBase, clock: Clock, rasa: RasaStandIn
) -> None:
    app = create_app(
        settings.model_copy(update={"backoffice_db_url": postgres_url}), kb=kb, clock=clock
    )
    auth = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    with TestClient(app) as client:
        engine = create_engine(postgres_url)
        with engine.connect() as connection:
            assert (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                == head_revision()
            )
        assert {
            "users",
            "handoffs",
            "handoff_messages",
            "faq_changes",
            "user_sessions",
            "login_failures",
        } <= set(inspect(engine).get_table_names())
        engine.dispose()
        with app.state.sessions() as db:
            db.add(
                User(
                    email="agent@boutique.fr",
                    display_name="Alice",
                    role="agent",
                    password_hash=HASH,
                    active=True,
                    last_seen=clock.now,
                )
            )
            db.commit()
        payload = {
            "conversation_id": "pg-1",
            "reason": "upset",
            "priority": 1,
            "summary": {
                "request": "Colis abîmé",
                "last_messages": [{"sender": "shopper", "text": "c'est inadmissible"}],
            },
            "mood": "fâché",
        }
        first = client.post("/api/handoffs", json=payload, headers=auth)
        assert first.status_code == 201, first.text
        ticket = first.json()
        assert ticket["agents_online"] == 1 and ticket["expected_wait_minutes"] == 5
        assert client.post("/api/handoffs", json=payload, headers=auth).json()["id"] == ticket["id"]
        assert (
            client.post(
                "/api/handoffs/pg-1/messages", json={"text": "Allô ?"}, headers=auth
            ).status_code
            == 202
        )
        csrf = page_csrf(client.get("/login").text)
        client.post(
            "/login", data={"email": "agent@boutique.fr", "password": PASSWORD, "csrf_token": csrf}
        )
        page = client.get(f"/inbox/{ticket['id']}").text
        assert "Allô ?" in page and "Colis abîmé" in page and "fâché" in page
        csrf = page_csrf(page)
        assert (
            client.post(
                f"/inbox/{ticket['id']}/reply",
                data={"text": "Je m'en occupe.", "csrf_token": csrf},
                follow_redirects=False,
            ).status_code
            == 303
        )
        client.post(f"/inbox/{ticket['id']}/resolve", data={"csrf_token": csrf})
        assert (
            client.post("/api/handoffs/pg-1/rating", json={"rating": 5}, headers=auth).status_code
            == 204
        )
        with app.state.sessions() as db:
            handoff = db.get(Handoff, ticket["id"])
            assert (handoff.status, handoff.rating, handoff.created_at) == (
                "resolved",
                5,
                clock.now,
            )
            assert [m.sender for m in handoff.messages] == ["shopper", "agent", "system"]
            assert handoff.summary["last_messages"][0]["text"] == "c'est inadmissible"
    assert [c.params["name"] for c in rasa.triggers()] == ["agent_reply", "handoff_resolved"]


def test_control_characters_sessions_throttling_and_faq_versions_on_postgresql(
    postgres_url: str, settings: Settings, kb: KnowledgeBase, clock: Clock, rasa: RasaStandIn
) -> None:
    """What PostgreSQL refused (NUL: a 500) or what must hold across its connections."""
    app = create_app(
        settings.model_copy(update={"backoffice_db_url": postgres_url}), kb=kb, clock=clock
    )
    auth = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    with TestClient(app) as client:
        with app.state.sessions() as db:
            for email, role in (("agent@boutique.fr", "agent"), ("editor@boutique.fr", "editor")):
                db.add(
                    User(
                        email=email,
                        display_name=role.title(),
                        role=role,
                        password_hash=HASH,
                        active=True,
                    )
                )
            db.commit()
        created = client.post(
            "/api/handoffs",
            headers=auth,
            json={
                "conversation_id": "pg-nul",
                "reason": "asked",
                "mood": "calme\x00",
                "summary": {
                    "request": "Allô\x00 ?",
                    "last_messages": [{"sender": "shopper", "text": "nul\x00 part"}],
                },
            },
        )
        assert created.status_code == 201, created.text
        relayed = client.post(
            "/api/handoffs/pg-nul/messages", headers=auth, json={"text": "Vous\x00 êtes là ?"}
        )
        assert relayed.status_code == 202, relayed.text
        assert (
            client.post(
                "/api/handoffs/pg%00nul/messages", headers=auth, json={"text": "x"}
            ).status_code
            == 422
        )
        assert client.post("/api/handoffs", headers=auth, content=b"[1, 2]").status_code == 422

        def login(email: str, password: str = PASSWORD) -> int:
            csrf = page_csrf(client.get("/login").text)
            return client.post(
                "/login",
                data={"email": email, "password": password, "csrf_token": csrf},
                follow_redirects=False,
            ).status_code

        assert login("agent\x00@boutique.fr", "faux-mot-de-passe") == 401  # no 500
        for _ in range(4):
            assert login("agent@boutique.fr", "faux-mot-de-passe") == 401
        assert login("agent@boutique.fr", "faux-mot-de-passe") == 429  # 4 + the NUL one above
        clock.now = clock.now + timedelta(minutes=15)
        assert login("agent@boutique.fr") == 303
        page = client.get(f"/inbox/{created.json()['id']}").text
        csrf = page_csrf(page)
        assert (
            client.post(
                f"/inbox/{created.json()['id']}/reply",
                follow_redirects=False,
                data={"text": "Oui\x00 !", "csrf_token": csrf},
            ).status_code
            == 303
        )
        with app.state.sessions() as db:
            handoff = db.scalar(select(Handoff).where(Handoff.conversation_id == "pg-nul"))
            assert handoff is not None and handoff.mood == "calme"
            assert handoff.summary["request"] == "Allô ?"
            assert handoff.summary["last_messages"][0]["text"] == "nul part"
            assert [m.text for m in handoff.messages] == ["Vous êtes là ?", "Oui !"]
        cookie = client.cookies["comptoir_backoffice"]
        client.post("/logout", data={"csrf_token": csrf})
        replay = TestClient(app, cookies={"comptoir_backoffice": cookie})
        assert replay.get("/inbox", follow_redirects=False).status_code in (303, 401)

        assert login("editor@boutique.fr") == 303
        form = client.get("/faq/gift.wrapping/edit").text
        base = re.search(r'name="base" value="([^"]*)"', form)
        assert base
        entry = {
            "topic": "gift",
            "question": "Faites-vous les paquets cadeaux ?",
            "alternatives": "paquet cadeau\nemballage cadeau possible ?\npapier cadeau",
            "answer": "Oui\x00, gratuitement.",
            "base": base.group(1),
            "confirm": "1",
            "csrf_token": page_csrf(form),
        }
        assert (
            client.post("/faq/gift.wrapping/edit", data=entry, follow_redirects=False).status_code
            == 303
        )
        stale = client.post("/faq/gift.wrapping/edit", data={**entry, "answer": "Non."})
        assert stale.status_code == 409 and "Oui, gratuitement." in stale.text
        with app.state.sessions() as db:
            [change] = db.query(FaqChange).all()
            assert change.after["answer"] == "Oui, gratuitement." and change.version
