"""Live parts: Server-Sent Events on a real uvicorn, presence, and the Telegram alert."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient

from bot.backoffice.app import create_app
from bot.backoffice.db import User
from bot.kb.service import KnowledgeBase
from bot.settings import Settings
from bot.tools.processes import free_port
from tests.channels.standins import BotApi

from .conftest import OPEN_TIME, PASSWORD, SERVICE_TOKEN, Clock

BOT_TOKEN = "123456:ALERT-token"


def test_sse_stream_delivers_new_handoffs_and_keeps_presence(server: tuple[str, object]) -> None:
    url, app = server
    with httpx.Client(base_url=url, timeout=10) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf
        login = client.post(
            "/login",
            data={"email": "agent@boutique.fr", "password": PASSWORD, "csrf_token": csrf.group(1)},
            follow_redirects=True,
        )
        assert login.status_code == 200 and "Conversations" in login.text
        with app.state.sessions() as db:  # type: ignore[attr-defined]
            agent = db.query(User).one()
            agent.last_seen = OPEN_TIME - timedelta(days=1)
            db.commit()
        with client.stream("GET", "/inbox/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert "event: ready" in [next(lines), next(lines)]
            created = httpx.post(
                f"{url}/api/handoffs",
                headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                json={"conversation_id": "live-1", "reason": "upset", "priority": 1},
            )
            assert created.status_code == 201
            seen: list[str] = []
            for line in lines:
                seen.append(line)
                if line.startswith("data:") and len(seen) > 1 and seen[-2] == "event: handoff":
                    data = json.loads(line[5:])
                    assert data == {"id": created.json()["id"], "change": "created"}
                    break
            relayed = httpx.post(
                f"{url}/api/handoffs/live-1/messages",
                headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                json={"text": "Alors ?"},
            )
            assert relayed.status_code == 202
            for line in lines:
                if line == "event: message":
                    break
        with app.state.sessions() as db:  # type: ignore[attr-defined]
            assert db.query(User).one().last_seen == OPEN_TIME  # refreshed by the stream
    anonymous = httpx.get(f"{url}/inbox/events", timeout=5)
    assert anonymous.status_code == 401


def test_telegram_alert_reaches_the_bot_api(
    settings: Settings, kb: KnowledgeBase, clock: Clock
) -> None:
    api = BotApi(BOT_TOKEN).start()
    try:
        alerting = settings.model_copy(
            update={
                "alert_telegram_token": BOT_TOKEN,
                "alert_telegram_chat_id": "-100777",
                "alert_telegram_base_url": api.base_url,
            }
        )
        app = create_app(alerting, kb=kb, clock=clock)
        with TestClient(app) as client:
            response = client.post(
                "/api/handoffs",
                headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                json={
                    "conversation_id": "tg-1",
                    "reason": "upset",
                    "priority": 1,
                    "summary": {"request": "Mon colis est arrivé cassé"},
                },
            )
            assert response.status_code == 201
            handoff_id = response.json()["id"]
            deadline = time.monotonic() + 15
            while not api.to_chat(-100777, "sendMessage"):
                assert time.monotonic() < deadline, f"no alert sent: {api.calls}"
                time.sleep(0.05)
        [text] = api.texts(-100777)
        assert "le client semble mécontent" in text and "priorité 1" in text
        assert "Mon colis est arrivé cassé" in text
        assert f"http://bo.example.test/inbox/{handoff_id}" in text
    finally:
        api.stop()


def test_a_failing_telegram_never_fails_the_handoff(
    settings: Settings, kb: KnowledgeBase, clock: Clock
) -> None:
    alerting = settings.model_copy(
        update={
            "alert_telegram_token": BOT_TOKEN,
            "alert_telegram_chat_id": "-100777",
            "alert_telegram_base_url": f"http://127.0.0.1:{free_port()}/bot",
        }
    )
    app = create_app(alerting, kb=kb, clock=clock)
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.post(
            "/api/handoffs",
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
            json={"conversation_id": "tg-2", "reason": "asked"},
        )
        assert response.status_code == 201
        assert time.monotonic() - started < 2


def test_the_live_stream_ends_when_its_session_is_revoked(server: tuple[str, object]) -> None:
    """An inbox left open on a shared computer stops receiving cases once its user logs out
    elsewhere, changes password or is deactivated (checked at each keep-alive)."""
    url, _ = server
    with httpx.Client(base_url=url, timeout=10) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf
        client.post(
            "/login",
            data={"email": "agent@boutique.fr", "password": PASSWORD, "csrf_token": csrf.group(1)},
        )
        page = client.get("/inbox").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        with client.stream("GET", "/inbox/events") as stream:
            lines = stream.iter_lines()
            assert "event: ready" in [next(lines), next(lines)]
            with httpx.Client(base_url=url, timeout=10, cookies=client.cookies) as other_tab:
                assert other_tab.post(
                    "/logout", data={"csrf_token": token.group(1)}
                ).status_code in (200, 303)
            started, ended = time.monotonic(), False
            for line in lines:  # keep-alives every 0.2 s until the server closes the stream
                assert not line.startswith("event:"), line
                if time.monotonic() - started > 5:
                    break
            else:
                ended = True
            assert ended, "the stream outlived its session"
