"""Password guessing: failed logins throttled per account and per address, refused before any
argon2 work, counted in the database (shared by every process); hashing bounded per process."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.backoffice import security
from bot.backoffice.app import create_app
from bot.backoffice.db import LoginFailure
from bot.backoffice.throttle import HashSlots
from bot.kb.service import KnowledgeBase
from bot.settings import Settings

from .conftest import OPEN_TIME, PASSWORD, BackOffice, Clock, page_csrf

WRONG = "pas-le-bon-mot-de-passe"


class CountingHasher:
    """The real argon2 hasher, counting verifications and how many run at once."""

    def __init__(self, real: Any, pause: float = 0.0) -> None:
        self.real, self.pause = real, pause
        self.calls = self.active = self.peak = 0
        self.lock = threading.Lock()

    def verify(self, hashed: str, password: str) -> bool:
        with self.lock:
            self.calls += 1
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.pause)
            return bool(self.real.verify(hashed, password))
        finally:
            with self.lock:
                self.active -= 1

    def hash(self, password: str) -> str:
        return str(self.real.hash(password))


def counting(monkeypatch: pytest.MonkeyPatch, pause: float = 0.0) -> CountingHasher:
    spy = CountingHasher(security.hasher, pause)
    monkeypatch.setattr(security, "hasher", spy)
    return spy


def other_address(bo: BackOffice, address: str) -> TestClient:
    return TestClient(bo.app, base_url="http://127.0.0.1", client=(address, 40000))


def test_limits_default_to_five_per_account_and_twenty_per_address_in_fifteen_minutes() -> None:
    fields = Settings.model_fields
    assert fields["backoffice_login_failures_per_account"].default == 5
    assert fields["backoffice_login_failures_per_ip"].default == 20
    assert fields["backoffice_login_window_minutes"].default == 15
    assert fields["backoffice_hash_slots"].default == 2


def test_an_account_is_refused_after_five_failures_before_any_hashing(
    bo: BackOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = counting(monkeypatch)
    for _ in range(5):
        assert bo.try_login("agent@boutique.fr", WRONG).status_code == 401
    assert spy.calls == 5
    refused = bo.try_login("agent@boutique.fr", PASSWORD)  # even with the right password
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion" in refused.text
    assert "réessayez dans 15 minutes" in refused.text
    assert refused.headers["retry-after"] == "900"
    assert spy.calls == 5, "a refused attempt must not cost an argon2 hash"
    assert bo.client.get("/inbox", follow_redirects=False).status_code in (303, 401)
    # Other accounts from the same address are not locked out by one account's failures.
    assert bo.try_login("editor@boutique.fr", PASSWORD).status_code == 303

    bo.clock.now = OPEN_TIME + timedelta(minutes=5)
    assert "réessayez dans 10 minutes" in bo.try_login("agent@boutique.fr", PASSWORD).text
    bo.clock.now = OPEN_TIME + timedelta(minutes=14, seconds=30)
    assert "réessayez dans 1 minute." in bo.try_login("agent@boutique.fr", PASSWORD).text
    # Refused attempts were not counted: the account reopens when the failures age out.
    bo.clock.now = OPEN_TIME + timedelta(minutes=15)
    assert bo.try_login("agent@boutique.fr", PASSWORD).status_code == 303


def test_a_successful_login_resets_the_account_counter(bo: BackOffice) -> None:
    for _ in range(4):
        assert bo.try_login("agent@boutique.fr", WRONG).status_code == 401
    assert bo.try_login("agent@boutique.fr", PASSWORD).status_code == 303
    for _ in range(4):
        assert bo.try_login("agent@boutique.fr", WRONG).status_code == 401
    assert bo.try_login("agent@boutique.fr", WRONG).status_code == 401  # 5th since the reset
    assert bo.try_login("agent@boutique.fr", PASSWORD).status_code == 429


def test_an_address_is_refused_after_twenty_failures(
    bo: BackOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = counting(monkeypatch)
    for n in range(20):  # four per account: no account reaches its own limit
        assert bo.try_login(f"essai{n // 4}@boutique.fr", WRONG).status_code == 401
    refused = bo.try_login("agent@boutique.fr", PASSWORD)
    assert refused.status_code == 429 and "réessayez dans 15 minutes" in refused.text
    assert spy.calls == 20
    assert (
        bo.try_login(
            "agent@boutique.fr", PASSWORD, client=other_address(bo, "203.0.113.9")
        ).status_code
        == 303
    )


def test_failures_are_counted_across_back_office_processes(
    bo: BackOffice, settings: Settings, kb: KnowledgeBase, clock: Clock
) -> None:
    """Two apps on one database stand for two worker processes."""
    second = create_app(settings, kb=kb, clock=clock)
    with TestClient(second, base_url="http://127.0.0.1") as other:
        for client in (bo.client, other, bo.client, other, bo.client):
            assert bo.try_login("agent@boutique.fr", WRONG, client=client).status_code == 401
        assert bo.try_login("agent@boutique.fr", PASSWORD, client=other).status_code == 429


def test_stored_failures_hold_neither_the_email_nor_the_address(bo: BackOffice) -> None:
    bo.try_login("agent@boutique.fr", WRONG)
    with bo.db() as db:
        [row] = db.query(LoginFailure).all()
    assert len(row.account) == len(row.client) == 64
    assert "agent" not in row.account and "testclient" not in row.client


def test_parallel_logins_hash_at_most_two_at_a_time(
    bo: BackOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 takes 64 MiB per hash: twenty parallel attempts took 1.3 GB before."""
    spy = counting(monkeypatch, pause=0.05)
    clients = [other_address(bo, f"198.51.100.{n}") for n in range(8)]
    tokens = [page_csrf(c.get("/login").text) for c in clients]
    start = threading.Barrier(len(clients))

    def attempt(n: int) -> int:
        start.wait()
        return (
            clients[n]
            .post(
                "/login",
                data={
                    "email": f"inconnu{n}@boutique.fr",
                    "password": WRONG,
                    "csrf_token": tokens[n],
                },
                follow_redirects=False,
            )
            .status_code
        )

    with ThreadPoolExecutor(len(clients)) as pool:
        codes = list(pool.map(attempt, range(len(clients))))
    assert codes == [401] * len(clients)  # all answered: they waited for a slot
    assert spy.calls == len(clients) and spy.peak <= 2, spy.peak


def test_no_free_hash_slot_is_a_503_and_not_a_failure(bo: BackOffice) -> None:
    bo.app.state.hash_slots = HashSlots(1, 0.05)
    with bo.app.state.hash_slots.slot() as held:
        assert held
        busy = bo.try_login("agent@boutique.fr", PASSWORD)
    assert busy.status_code == 503 and busy.headers["retry-after"] == "5"
    assert "réessayez dans quelques secondes" in busy.text
    with bo.db() as db:
        assert db.query(LoginFailure).count() == 0
    assert bo.try_login("agent@boutique.fr", PASSWORD).status_code == 303
