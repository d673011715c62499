"""Start the real processes, as `make run` does (the Procfile's own commands), on free ports,
with throw-away databases; stop them after the tests."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from bot.settings import ROOT

STARTUP_TIMEOUT = 300  # seconds; Rasa alone takes about a minute on 2 cores


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


@dataclass
class Stack:
    env: dict[str, str]
    logs: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.env['COMPTOIR_RASA_PORT']}"

    @property
    def shop_url(self) -> str:
        return f"http://127.0.0.1:{self.env['COMPTOIR_SHOP_PORT']}"

    def start(self, name: str) -> None:
        log = open(self.logs / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            procfile()[name], shell=True, cwd=ROOT, env=self.env, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=20)
                return
            except ProcessLookupError:  # already gone, e.g. it crashed at start-up
                return
            except subprocess.TimeoutExpired:
                continue

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

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict[str, Any]]:
        response = requests.post(f"{self.rasa_url}/webhooks/rest/webhook",
                                 json={"sender": sender, "message": message}, timeout=timeout)
        response.raise_for_status()
        return response.json()


RASA_TOKEN = "e2e-secret-token"


def stack_env(tmp: Path, **extra: str) -> dict[str, str]:
    """Environment of a throw-away stack: free ports, databases and files under `tmp`."""
    ports = {name: free_port() for name in ("SHOP", "ACTIONS", "RASA")}
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
        **extra,
    }


@contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    """Start the shop, the action server and Rasa; wait until each answers; stop them all."""
    if not (ROOT / "models" / "comptoir.tar.gz").exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    try:
        for name in ("shop", "actions", "rasa"):
            stack.start(name)
        stack.wait_until_ready("shop", f"{stack.shop_url}/health")
        stack.wait_until_ready(
            "actions", f"http://127.0.0.1:{stack.env['COMPTOIR_ACTIONS_PORT']}/health")
        stack.wait_until_ready(
            "rasa", f"{stack.rasa_url}/status?token={stack.env['COMPTOIR_RASA_TOKEN']}")
        yield stack
    finally:
        for name in list(stack.processes):
            stack.stop(name)


def read_demo_orders(env: dict[str, str]) -> list[dict[str, str]]:
    output = subprocess.run(
        [sys.executable, "-m", "bot.shop", "demo-orders", "--db", env["COMPTOIR_SHOP_DB_URL"]],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("stack")
    with running(Stack(env=stack_env(tmp), logs=tmp)) as started:
        yield started


@pytest.fixture(scope="session")
def demo_orders(stack: Stack) -> list[dict[str, str]]:
    return read_demo_orders(stack.env)


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)
