"""The real processes, as `make run` starts them (the Procfile's own commands), on free ports,
with throw-away databases; and what tests read from them (trackers, hand-offs, demo orders).
The session-wide `stack` fixture built from this lives in tests/conftest.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import socketio

from bot.settings import ROOT
from bot.tools.processes import free_port, procfile, stop_group

STARTUP_TIMEOUT = 300  # seconds; Rasa alone takes about a minute on 2 cores


@dataclass
class Stack:
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['COMPTOIR_RASA_PORT']}"

    @property
    def backoffice_url(self) -> str:
        return f"http://127.0.0.1:{self.env['COMPTOIR_BACKOFFICE_PORT']}"

    @property
    def shop_url(self) -> str:
        return f"http://127.0.0.1:{self.env['COMPTOIR_SHOP_PORT']}"

    def start(self, name: str) -> None:
        log = open(self.logs / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            procfile()[name],
            shell=True,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, name: str) -> None:
        stop_group(self.processes.pop(name))

    def wait_until_ready(self, name: str, url: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                break
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        tail = (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]
        pytest.fail(f"{name} did not become ready at {url}:\n{tail}")

    def tracker(self, conversation: str) -> dict[str, Any]:
        """The conversation as Rasa's HTTP API gives it (what a REST client can read)."""
        response = requests.get(
            f"{self.rasa_url}/conversations/{conversation}/tracker",
            params={"token": self.env["COMPTOIR_RASA_TOKEN"]},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def bot_events(self, conversation: str) -> list[dict[str, Any]]:
        return [e for e in self.tracker(conversation)["events"] if e["event"] == "bot"]

    def say(
        self, sender: str, message: str, timeout: float = 30, metadata: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """One shopper turn over REST. Every turn of every test is held to the same manners:
        at most 3 messages, none said twice."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata is not None:
            body["metadata"] = metadata
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json=body, timeout=timeout
        )
        response.raise_for_status()
        replies: list[dict[str, Any]] = response.json()
        check_turn(message, replies)
        return replies


MAX_MESSAGES_PER_TURN = 3


def check_turn(message: str, replies: list[dict[str, Any]]) -> None:
    said = [reply.get("text") or "" for reply in replies]
    assert len(replies) <= MAX_MESSAGES_PER_TURN, (
        f"{len(replies)} messages in one turn after {message!r}: {said}"
    )
    repeated = [text for text in set(said) if text and said.count(text) > 1]
    assert not repeated, f"said twice in one turn after {message!r}: {repeated}"


RASA_TOKEN = "e2e-secret-token"
ACTION_TOKEN = "e2e-action-token"


def stack_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Environment of a throw-away stack: free ports, databases and files under `tmp`, and a
    copy of the published knowledge base that the back office's editor may change."""
    if not (tmp / "kb_index").exists():
        shutil.copytree(ROOT / "kb_index", tmp / "kb_index")
    ports = {name: free_port() for name in ("SHOP", "ACTIONS", "RASA", "BACKOFFICE")}
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "COMPTOIR_SHOP_PORT": str(ports["SHOP"]),
        "COMPTOIR_ACTIONS_PORT": str(ports["ACTIONS"]),
        "COMPTOIR_RASA_PORT": str(ports["RASA"]),
        "COMPTOIR_RASA_TOKEN": RASA_TOKEN,
        "COMPTOIR_SHOP_API_URL": f"http://127.0.0.1:{ports['SHOP']}",
        "COMPTOIR_SHOP_DB_URL": f"sqlite:///{tmp / 'shop.db'}",
        "COMPTOIR_ACTION_URL": f"http://127.0.0.1:{ports['ACTIONS']}/webhook",
        "COMPTOIR_TRACKER_DB": str(tmp / "tracker.db"),
        "COMPTOIR_FAQ_FEEDBACK_FILE": str(tmp / "faq_feedback.jsonl"),
        "COMPTOIR_KB_DIR": str(tmp / "kb_index"),
        "COMPTOIR_BACKOFFICE_PORT": str(ports["BACKOFFICE"]),
        "COMPTOIR_BACKOFFICE_URL": f"http://127.0.0.1:{ports['BACKOFFICE']}",
        "COMPTOIR_BACKOFFICE_PUBLIC_URL": f"http://127.0.0.1:{ports['BACKOFFICE']}",
        "COMPTOIR_BACKOFFICE_DB_URL": f"sqlite:///{tmp / 'backoffice.db'}",
        "COMPTOIR_RASA_URL": f"http://127.0.0.1:{ports['RASA']}",
        "COMPTOIR_SERVICE_TOKEN": "e2e-service-token",
        "COMPTOIR_SESSION_SECRET": "e2e-session-secret",
        "COMPTOIR_ACTION_TOKEN": ACTION_TOKEN,
        "COMPTOIR_CONVERSATION_SECRET": "e2e-conversation-secret",
        "COMPTOIR_SHOP_API_KEY": "e2e-shop-key",
        "COMPTOIR_SHOP_LABEL_SECRET": "e2e-label-secret",
        "COMPTOIR_SHOP_WEBHOOK_SECRET": "e2e-webhook-secret",
        # Delay notices go out within a second, and a failed one is retried a second later.
        "COMPTOIR_CATALOGUE_REFRESH_SECONDS": "1",  # catalogue changes seen within a second
        "COMPTOIR_NOTICE_WORKER_SECONDS": "1",
        "COMPTOIR_NOTICE_RETRY_SECONDS": "1",
        "COMPTOIR_NOTICE_MAX_ATTEMPTS": "8",
        "COMPTOIR_PROOF_THROTTLE_DB_URL": f"sqlite:///{tmp / 'proof_throttle.db'}",
        **extra,
    }


@contextmanager
def running(stack: Stack, demo_shop: bool = True) -> Iterator[Stack]:
    """Start the shop (unless a platform's stand-in plays it), the back office, the action
    server and Rasa; wait until each answers; stop them all."""
    if not (ROOT / "models" / "comptoir.tar.gz").exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    try:
        for name in ("shop", "backoffice", "actions", "rasa")[0 if demo_shop else 1 :]:
            stack.start(name)
        if demo_shop:
            stack.wait_until_ready("shop", f"{stack.shop_url}/health")
        stack.wait_until_ready("backoffice", f"{stack.backoffice_url}/healthz")
        stack.wait_until_ready(
            "actions", f"http://127.0.0.1:{stack.env['COMPTOIR_ACTIONS_PORT']}/health"
        )
        stack.wait_until_ready(
            "rasa", f"{stack.rasa_url}/status?token={stack.env['COMPTOIR_RASA_TOKEN']}"
        )
        yield stack
    finally:
        for name in list(stack.processes):
            stack.stop(name)


def read_demo_orders(env: dict[str, str], per_status: int | None = None) -> list[dict[str, str]]:
    """The stack's demo orders (`python -m bot.demo_shop demo-orders`), `per_status` of each."""
    more = ["--per-status", str(per_status)] if per_status else []
    output = subprocess.run(
        [sys.executable, "-m", "bot.demo_shop", "demo-orders", "--db", env["COMPTOIR_SHOP_DB_URL"]]
        + more,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def handoffs(stack: Stack) -> list[dict[str, Any]]:
    """The back office's hand-offs, read from its database (oldest first)."""
    import sqlite3

    path = stack.env["COMPTOIR_BACKOFFICE_DB_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(row) for row in db.execute("SELECT * FROM handoffs ORDER BY id")]
        for row in rows:
            row["messages"] = [
                dict(m)
                for m in db.execute(
                    "SELECT sender, text FROM handoff_messages WHERE handoff_id = ? ORDER BY id",
                    (row["id"],),
                )
            ]
    return rows


def handoff_of(stack: Stack, sender: str) -> dict[str, Any]:
    [row] = [row for row in handoffs(stack) if row["conversation_id"] == sender]
    return row


def create_user(stack: Stack, email: str, role: str, password: str = "motdepasse-e2e-1") -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.backoffice",
            "create-user",
            "--email",
            email,
            "--name",
            email.split("@")[0].capitalize(),
            "--role",
            role,
            "--password-stdin",
        ],
        input=password + "\n",
        cwd=ROOT,
        env=stack.env,
        check=True,
        capture_output=True,
        text=True,
    )


def agent_login(stack: Stack, email: str, password: str = "motdepasse-e2e-1") -> requests.Session:
    """A logged-in back-office session that sends its CSRF token with every request."""
    session = requests.Session()
    page = session.get(f"{stack.backoffice_url}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf, "the login form carries a CSRF token"
    response = session.post(
        f"{stack.backoffice_url}/login",
        timeout=10,
        data={"email": email, "password": password, "csrf_token": csrf.group(1)},
    )
    assert response.ok and "/login" not in response.url, response.text[:500]
    session.headers["X-CSRF-Token"] = csrf_of(session, stack)
    return session


def csrf_of(session: requests.Session, stack: Stack) -> str:
    page = session.get(f"{stack.backoffice_url}/inbox", timeout=10).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'"X-CSRF-Token"\s*:\s*"([^"]+)"', page
    )
    assert found, page[:1000]
    return found.group(1)


class Widget:
    """A browser's socket.io client, as the widget speaks to Rasa."""

    def __init__(self, stack: Stack) -> None:
        self.client = socketio.Client(reconnection=False)
        self.confirmed: list[str] = []
        self.said: list[dict[str, Any]] = []
        self.client.on("session_confirm", self.confirmed.append)
        self.client.on("bot_uttered", self.said.append)
        self.client.connect(stack.rasa_url, socketio_path="/socket.io", transports=["websocket"])

    def session(self, wanted: str | None) -> str:
        before = len(self.confirmed)
        self.client.emit("session_request", {"session_id": wanted})
        self.wait(lambda: len(self.confirmed) > before)
        return self.confirmed[-1]

    def say(self, text: str, session_id: str, answers: int = 1) -> list[dict[str, Any]]:
        before = len(self.said)
        self.client.emit(
            "user_uttered",
            {"message": text, "session_id": session_id, "metadata": {"client_ip": "10.9.8.7"}},
        )
        self.wait(lambda: len(self.said) >= before + answers)
        time.sleep(0.5)  # the rest of the turn
        return self.said[before:]

    @staticmethod
    def wait(condition: Any, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "no answer from the socket.io channel"
            time.sleep(0.05)

    def close(self) -> None:
        self.client.disconnect()
