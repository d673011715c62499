"""Fixtures of the back-office tests: a tmp SQLite back office, a Rasa stand-in, a small real
knowledge base (built once per session, copied per test), users of each role, a fixed clock."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("COMPTOIR_KB_ENCODER_THREADS", "2")

from bot.backoffice.app import create_app  # noqa: E402
from bot.backoffice.db import User  # noqa: E402
from bot.backoffice.security import hash_password  # noqa: E402
from bot.kb.config import REPO_ROOT, get_kb_settings  # noqa: E402
from bot.kb.corpus import load_faq_dir  # noqa: E402
from bot.kb.encoders import Encoder, get_encoder  # noqa: E402
from bot.kb.service import KnowledgeBase  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.tools.processes import free_port  # noqa: E402
from tests.channels.standins import Call, StandIn  # noqa: E402

PASSWORD = "mot-de-passe-solide"
SERVICE_TOKEN = "service-token-for-tests"
RASA_TOKEN = "rasa-token-for-tests"
# Wednesday 2026-11-25 10:00 in Paris: the team is open.
OPEN_TIME = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


class RasaStandIn(StandIn):
    """Rasa's HTTP API for what the back office calls: GET …/tracker, POST …/trigger_intent,
    POST /model/parse (what `parses` says of a text; by default a confident `faq`)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.trackers: dict[str, dict[str, Any]] = {}
        self.parses: dict[str, dict[str, Any]] = {}
        self.fail_with: int | None = None

    def handle(
        self, verb: str, path: str, query: dict[str, str], body: str, content_type: str
    ) -> tuple[int, Any]:
        if query.get("token") != self.token:
            return 401, {"status": "failure", "reason": "NotAuthenticated"}
        if verb == "POST" and path == "/model/parse":
            if self.fail_with:
                return self.fail_with, {"status": "failure", "message": "boom"}
            text = json.loads(body).get("text", "")
            faq = {"intent": {"name": "faq", "confidence": 0.9}, "entities": []}
            return 200, {"text": text, **self.parses.get(text, faq)}
        match = re.fullmatch(r"/conversations/([^/]+)/(tracker|trigger_intent)", path)
        if not match:
            return 404, {"status": "failure"}
        from urllib.parse import unquote

        conversation, what = unquote(match.group(1)), match.group(2)
        params = json.loads(body) if body else {}
        self.record(Call(f"{verb} {what}", {"conversation": conversation, **params}, query, body))
        if self.fail_with:
            return self.fail_with, {"status": "failure", "message": "boom"}
        tracker = self.trackers.get(
            conversation, {"sender_id": conversation, "slots": {}, "events": []}
        )
        if what == "tracker":
            return 200, tracker
        return 200, {"tracker": tracker, "messages": []}

    def triggers(self) -> list[Call]:
        return [c for c in self.calls if c.method == "POST trigger_intent"]


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    stand_in = RasaStandIn(RASA_TOKEN).start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return get_encoder(get_kb_settings().encoder)


@pytest.fixture(scope="session")
def base_kb_dir(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> Path:
    """Four demo entries of every topic, published once with the real encoder (a few seconds).

    Not fewer: the fused confidence is calibrated on the whole FAQ, and with one entry per
    topic the lexical leg gets overconfident (an unrelated phrasing then looks like a
    near-duplicate)."""
    picked: dict[str, list[Any]] = {}
    for entry in load_faq_dir(REPO_ROOT / "data" / "faq"):
        if len(picked.setdefault(entry.topic, [])) < 4:
            picked[entry.topic].append(entry)
    folder = tmp_path_factory.mktemp("kb") / "kb_index"
    kb = KnowledgeBase(settings=get_kb_settings(dir=folder), encoder=encoder)
    kb.upsert([e for group in picked.values() for e in group])
    return folder


@pytest.fixture
def kb_dir(tmp_path: Path, base_kb_dir: Path) -> Path:
    folder = tmp_path / "kb_index"
    shutil.copytree(base_kb_dir, folder)
    return folder


@pytest.fixture
def kb(kb_dir: Path, encoder: Encoder) -> KnowledgeBase:
    return KnowledgeBase(settings=get_kb_settings(dir=kb_dir), encoder=encoder)


@dataclass
class Clock:
    now: datetime = OPEN_TIME

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path, rasa: RasaStandIn) -> Settings:
    return Settings(
        backoffice_db_url=f"sqlite:///{tmp_path / 'backoffice.db'}",
        rasa_url=rasa.url,
        rasa_token=RASA_TOKEN,
        service_token=SERVICE_TOKEN,
        session_secret="x" * 40,
        backoffice_public_url="http://bo.example.test",
        alert_telegram_token="",
        alert_telegram_chat_id="",
    )


@dataclass
class BackOffice:
    client: TestClient
    app: Any
    rasa: RasaStandIn
    clock: Clock
    users: dict[str, int] = field(default_factory=dict)

    def db(self) -> Any:
        return self.app.state.sessions()

    def add_user(
        self,
        email: str,
        role: str,
        name: str | None = None,
        active: bool = True,
        last_seen: datetime | None = None,
    ) -> int:
        with self.db() as db:
            user = User(
                email=email,
                display_name=name or email.split("@")[0].title(),
                role=role,
                password_hash=HASH,
                active=active,
                last_seen=last_seen,
            )
            db.add(user)
            db.commit()
            self.users[email] = user.id
            return user.id

    def login(self, email: str, password: str = PASSWORD, client: TestClient | None = None) -> str:
        """Log in; returns the session's CSRF token."""
        client = client or self.client
        response = self.try_login(email, password, client)
        assert response.status_code == 303, response.text
        return page_csrf(client.get("/login").text)

    def try_login(self, email: str, password: str, client: TestClient | None = None) -> Any:
        """One login attempt, whatever its outcome (the response, redirects not followed)."""
        client = client or self.client
        csrf = page_csrf(client.get("/login").text)
        return client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf},
            follow_redirects=False,
        )

    def api(self, path: str, payload: dict[str, Any]) -> Any:
        return self.client.post(
            path, json=payload, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
        )

    def handoff(self, conversation: str = "conv-1", **extra: Any) -> dict[str, Any]:
        payload = {
            "conversation_id": conversation,
            "channel": "socketio",
            "reason": "asked",
            "priority": 3,
            "summary": {"request": "Je veux parler à quelqu'un"},
            **extra,
        }
        response = self.api("/api/handoffs", payload)
        assert response.status_code == 201, response.text
        return dict(response.json())


HASH = hash_password(PASSWORD)


def page_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'"X-CSRF-Token": "([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def bo(
    settings: Settings, kb: KnowledgeBase, clock: Clock, rasa: RasaStandIn
) -> Iterator[BackOffice]:
    app = create_app(settings, kb=kb, clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        office = BackOffice(client, app, rasa, clock)
        office.add_user("agent@boutique.fr", "agent", "Alice Agent")
        office.add_user("editor@boutique.fr", "editor", "Éric Rédacteur")
        office.add_user("admin@boutique.fr", "admin", "Ada Admin")
        office.add_user("manager@boutique.fr", "manager", "Manon Responsable")
        yield office


@pytest.fixture
def server(settings: Settings, kb: KnowledgeBase, clock: Clock) -> Iterator[tuple[str, object]]:
    """The back office on a real uvicorn (SSE, browsers), with one agent account."""
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
        db.add(
            User(
                email="agent@boutique.fr",
                display_name="Alice",
                role="agent",
                password_hash=HASH,
                active=True,
            )
        )
        db.commit()
    yield f"http://127.0.0.1:{port}", app
    uv.should_exit = True
    thread.join(10)


def head_revision() -> str:
    """The newest migration's id, as `migrate` leaves a database."""
    from alembic.script import ScriptDirectory

    from bot.backoffice.db import HERE

    head = ScriptDirectory(str(HERE / "migrations")).get_current_head()
    assert head is not None
    return head
