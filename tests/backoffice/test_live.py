"""Live parts: Server-Sent Events on a real uvicorn, presence, and the Telegram alert."""
from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from bot.backoffice.app import create_app
from bot.backoffice.db import User
from bot.kb.service import KnowledgeBase
from bot.processes import free_port
from bot.settings import Settings
from tests.channels.standins import BotApi

from .conftest import HASH, OPEN_TIME, PASSWORD, SERVICE_TOKEN, Clock

BOT_TOKEN = "123456:ALERT-token"


@pytest.fixture
def server(settings: Settings, kb: KnowledgeBase, clock: Clock) -> Iterator[tuple[str, object]]:
    app = create_app(settings, kb=kb, clock=clock)
    app.state.sse_keepalive = 0.2
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    with app.state.sessions() as db:
        db.add(User(email="agent@boutique.fr", display_name="Alice", role="agent",
                    password_hash=HASH, active=True))
        db.commit()
    yield f"http://127.0.0.1:{port}", app
    uv.should_exit = True
    thread.join(10)


def test_sse_stream_delivers_new_handoffs_and_keeps_presence(server: tuple[str, object]) -> None:
    url, app = server
    with httpx.Client(base_url=url, timeout=10) as client:
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert csrf
        login = client.post("/login", data={"email": "agent@boutique.fr", "password": PASSWORD,
                                            "csrf_token": csrf.group(1)}, follow_redirects=True)
        assert login.status_code == 200 and "Conversations" in login.text
        with app.state.sessions() as db:  # type: ignore[attr-defined]
            agent = db.query(User).one()
            agent.last_seen = OPEN_TIME - timedelta(days=1)
            db.commit()
        with client.stream("GET", "/inbox/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            assert "event: ready" in [next(lines), next(lines)]
            created = httpx.post(f"{url}/api/handoffs", headers={
                "Authorization": f"Bearer {SERVICE_TOKEN}"}, json={
                "conversation_id": "live-1", "reason": "upset", "priority": 1})
            assert created.status_code == 201
            seen: list[str] = []
            for line in lines:
                seen.append(line)
                if line.startswith("data:") and len(seen) > 1 and seen[-2] == "event: handoff":
                    data = json.loads(line[5:])
                    assert data == {"id": created.json()["id"], "change": "created"}
                    break
            relayed = httpx.post(f"{url}/api/handoffs/live-1/messages", headers={
                "Authorization": f"Bearer {SERVICE_TOKEN}"}, json={"text": "Alors ?"})
            assert relayed.status_code == 202
            for line in lines:
                if line == "event: message":
                    break
        with app.state.sessions() as db:  # type: ignore[attr-defined]
            assert db.query(User).one().last_seen == OPEN_TIME  # refreshed by the stream
    anonymous = httpx.get(f"{url}/inbox/events", timeout=5)
    assert anonymous.status_code == 401


def test_telegram_alert_reaches_the_bot_api(settings: Settings, kb: KnowledgeBase,
                                            clock: Clock) -> None:
    api = BotApi(BOT_TOKEN).start()
    try:
        alerting = settings.model_copy(update={
            "alert_telegram_token": BOT_TOKEN, "alert_telegram_chat_id": "-100777",
            "alert_telegram_base_url": api.base_url})
        app = create_app(alerting, kb=kb, clock=clock)
        with TestClient(app) as client:
            response = client.post("/api/handoffs", headers={
                "Authorization": f"Bearer {SERVICE_TOKEN}"}, json={
                "conversation_id": "tg-1", "reason": "upset", "priority": 1,
                "summary": {"request": "Mon colis est arrivé cassé"}})
            assert response.status_code == 201
            handoff_id = response.json()["id"]
            deadline = time.monotonic() + 15
            while not api.to_chat(-100777, "sendMessage"):
                assert time.monotonic() < deadline, f"no alert sent: {api.calls}"
                time.sleep(0.05)
        [text] = api.texts(-100777)
        assert "client mécontent" in text and "priorité 1" in text
        assert "Mon colis est arrivé cassé" in text
        assert f"http://bo.example.test/inbox/{handoff_id}" in text
    finally:
        api.stop()


def test_a_failing_telegram_never_fails_the_handoff(settings: Settings, kb: KnowledgeBase,
                                                    clock: Clock) -> None:
    alerting = settings.model_copy(update={
        "alert_telegram_token": BOT_TOKEN, "alert_telegram_chat_id": "-100777",
        "alert_telegram_base_url": f"http://127.0.0.1:{free_port()}/bot"})
    app = create_app(alerting, kb=kb, clock=clock)
    with TestClient(app) as client:
        started = time.monotonic()
        response = client.post("/api/handoffs", headers={
            "Authorization": f"Bearer {SERVICE_TOKEN}"}, json={
            "conversation_id": "tg-2", "reason": "asked"})
        assert response.status_code == 201
        assert time.monotonic() - started < 2
