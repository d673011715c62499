"""Login throttling, shared by every back-office process, and bounded password hashing.

Failed logins are rows of `login_failures`, counted per account (the e-mail typed) and per
client address over a sliding window. An attempt is recorded *before* its password is checked
and counted with the earlier ones: past a limit it is refused at once, with no argon2 work,
and the refused attempt is not kept (the account reopens once the window has passed over its
failures, however often an attacker keeps knocking). A success deletes the account's failures.
Both keys are HMACs with the session secret: no e-mail (nor a password typed in the e-mail
field) and no address is stored, and rows older than the window are purged as attempts come.

Hashing itself is bounded per process (`HashSlots`): argon2 takes 64 MiB per hash, so twenty
parallel attempts must wait their turn instead of taking a gigabyte.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.settings import Settings

from .db import LoginFailure

BUSY = "Trop de connexions en même temps sur le back office : réessayez dans quelques secondes."
BUSY_RETRY_SECONDS = 5


@dataclass(frozen=True)
class Attempt:
    """A login attempt under way (its row counts as a failure unless it succeeds)."""

    id: int
    account: str


@dataclass(frozen=True)
class Refusal:
    """Too many failures: the attempt is refused until `retry_at`."""

    retry_at: datetime

    def seconds(self, now: datetime) -> int:
        return max(1, math.ceil((self.retry_at - now).total_seconds()))

    def message(self, now: datetime) -> str:
        minutes = max(1, math.ceil(self.seconds(now) / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"Trop de tentatives de connexion : par sécurité, réessayez dans {minutes} {unit}."


class LoginThrottle:
    def __init__(self, secret: str, per_account: int, per_client: int, window: timedelta) -> None:
        self._secret = secret.encode()
        self.per_account, self.per_client, self.window = per_account, per_client, window

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            settings.secret("session_secret"),
            settings.backoffice_login_failures_per_account,
            settings.backoffice_login_failures_per_ip,
            timedelta(minutes=settings.backoffice_login_window_minutes),
        )

    def _key(self, kind: str, value: str) -> str:
        return hmac.new(self._secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def begin(self, db: Session, email: str, client: str, now: datetime) -> Attempt | Refusal:
        """Record the attempt, then allow it only if the failures before it leave room."""
        account, address = self._key("account", email), self._key("client", client)
        cutoff = now - self.window
        db.execute(delete(LoginFailure).where(LoginFailure.at <= cutoff))
        row = LoginFailure(account=account, client=address, at=now)
        db.add(row)
        db.commit()
        waits = [
            self._retry_at(db, LoginFailure.account == account, row.id, cutoff, self.per_account),
            self._retry_at(db, LoginFailure.client == address, row.id, cutoff, self.per_client),
        ]
        blocked = [w for w in waits if w is not None]
        if blocked:
            db.delete(row)
            db.commit()
            return Refusal(max(blocked))
        return Attempt(row.id, account)

    def _retry_at(
        self, db: Session, match: Any, row_id: int, cutoff: datetime, limit: int
    ) -> datetime | None:
        """When enough of the failures before `row_id` will have left the window."""
        times = list(
            db.scalars(
                select(LoginFailure.at)
                .where(match, LoginFailure.at > cutoff, LoginFailure.id < row_id)
                .order_by(LoginFailure.at)
            )
        )
        if len(times) < limit:
            return None
        return times[len(times) - limit] + self.window

    def cancel(self, db: Session, attempt: Attempt) -> None:
        """The attempt did not get to check a password: it is not a failure."""
        db.execute(delete(LoginFailure).where(LoginFailure.id == attempt.id))
        db.commit()

    def succeeded(self, db: Session, attempt: Attempt) -> None:
        """Right password: the account's failures are forgotten (not the address's others)."""
        db.execute(delete(LoginFailure).where(LoginFailure.account == attempt.account))
        db.commit()


class HashSlots:
    """At most `slots` password hashes at once in this process; others wait `wait` seconds."""

    def __init__(self, slots: int, wait: float) -> None:
        self._semaphore = threading.BoundedSemaphore(slots)
        self.wait = wait

    @classmethod
    def from_settings(cls, settings: Settings) -> HashSlots:
        return cls(settings.backoffice_hash_slots, settings.backoffice_hash_wait_seconds)

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields True with a slot held, False when none freed up in time."""
        acquired = self._semaphore.acquire(timeout=self.wait)
        try:
            yield acquired
        finally:
            if acquired:
                self._semaphore.release()
