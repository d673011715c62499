"""Fixtures shared by the shop tests: a seeded SQLite template copied per test, an app,
real uvicorn servers on free ports, and fault-injection HTTP servers (slow, failing)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clients.shop import models as m
from bot.demo_shop import db, rules, seed
from bot.demo_shop.api import create_app
from bot.tools.standins import serving

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "test-key"
LABEL_SECRET = "test-label-secret"
SEED = 2024


@pytest.fixture(scope="session")
def seed_moment() -> datetime:
    """When the template was seeded: every seeded date is an offset from it."""
    return rules.shop_now()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, seed_moment: datetime) -> Path:
    """Seeded once per run (≈ 1 s); each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("template") / "shop.db"
    engine = db.make_engine(f"sqlite:///{path}")
    seed.ensure_seeded(engine, SEED, seed_moment)
    engine.dispose()
    return path


@pytest.fixture
def db_url(seeded_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "shop.db"
    shutil.copy(seeded_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(db_url: str) -> FastAPI:
    return create_app(db_url, API_KEY, LABEL_SECRET)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, headers={"X-API-Key": API_KEY}) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def _shared_url(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("shared") / "shop.db"
    shutil.copy(seeded_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def _shared_client(_shared_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(_shared_url, API_KEY, LABEL_SECRET)) as test_client:
        yield test_client


@pytest.fixture
def ro_client(_shared_client: TestClient) -> Iterator[TestClient]:
    """One app per module for tests that change nothing (cheaper than a copy per test)."""
    _shared_client.headers["X-API-Key"] = API_KEY
    yield _shared_client
    _shared_client.headers["X-API-Key"] = API_KEY


@pytest.fixture(scope="module")
def ro_orders(_shared_url: str) -> Iterator[Orders]:
    finder = Orders(_shared_url)
    yield finder
    finder.engine.dispose()


@dataclass
class Sample:
    """A seeded order and the proofs that open it."""

    number: str
    email: str
    postcode: str
    order: m.Order

    @property
    def by_email(self) -> dict[str, str]:
        return {"email": self.email}

    @property
    def by_postcode(self) -> dict[str, str]:
        return {"postcode": self.postcode}


class Orders:
    """Finds seeded orders by what a test needs, straight from the database."""

    def __init__(self, url: str) -> None:
        self.engine = db.make_engine(url)

    def find(
        self,
        status: m.OrderStatus,
        where: Callable[[m.Order], bool] = lambda o: True,
        now: datetime | None = None,
        skip: int = 0,
    ) -> Sample:
        """The first seeded order (by number) of `status` matching `where`, after `skip`."""
        now = now or rules.shop_now()
        with Session(self.engine) as session:
            rows = session.scalars(
                select(db.OrderRow)
                .where(db.OrderRow.status == status.value)
                .options(*db.whole_orders())
                .order_by(db.OrderRow.number)
            )
            for row in rows:
                order = db.order_to_model(row, now, str)
                if where(order):
                    if skip == 0:
                        return Sample(
                            row.number, row.customer.email, row.shipping_address.postcode, order
                        )
                    skip -= 1
        pytest.fail(f"no seeded {status.value} order matches the test's needs")

    def set_stock(self, sku: str, stock: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.get(db.ProductRow, sku).stock = stock  # type: ignore[union-attr]

    def stock(self, sku: str) -> int:
        with Session(self.engine) as session:
            return session.get(db.ProductRow, sku).stock  # type: ignore[union-attr]


@pytest.fixture
def orders(db_url: str) -> Iterator[Orders]:
    finder = Orders(db_url)
    yield finder
    finder.engine.dispose()


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture
def live_server(db_url: str) -> Iterator[str]:
    """The real app under a real uvicorn, in a thread, on a free loopback port."""
    with serving(create_app(db_url, API_KEY, LABEL_SECRET)) as url:
        yield url


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nobody listening (bound then released)."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    sock.close()
    return port


class ScriptedServer(ThreadingHTTPServer):
    """Answers each request per `script(hit_number) -> (status, body, delay_s)`."""

    daemon_threads = True

    def __init__(self, script: Callable[[int], tuple[int, bytes, float]]) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.script = script
        self.hits = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ScriptedHandler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        with self.server.lock:
            self.server.hits += 1
            hit = self.server.hits
        status, body, delay = self.server.script(hit)
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up first: that is the point of a slow server
            pass

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def scripted_server() -> Iterator[Callable[..., ScriptedServer]]:
    """Factory of fault-injection servers, shut down after the test."""
    started: list[tuple[ScriptedServer, threading.Thread]] = []

    def start(script: Callable[[int], tuple[int, bytes, float]]) -> ScriptedServer:
        server = ScriptedServer(script)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.shutdown()
        server.server_close()
        thread.join(2)
