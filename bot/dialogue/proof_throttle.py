"""Wrong order proofs, counted per client, outside the conversation.

A postcode has five digits: without a limit, anyone could try them all. The limit applies to
whoever guesses — the conversation, and the shopper's IP address when the channel knows it —
never to the order, so a guesser cannot lock the owner out. Counts live in their own table
(SQLite by default, any SQLAlchemy URL: several action servers share one database), so they
survive `/restart`, a new conversation id and a restarted action server. Keys are stored
hashed: the table holds no IP address or conversation id.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import (
    Column,
    Float,
    Index,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from bot.settings import get_settings

metadata = MetaData()
failures = Table(
    "proof_failures",
    metadata,
    Column("client", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_proof_failures_client_at", "client", "at"),
)


@dataclass(frozen=True)
class Limit:
    failures: int
    window_s: float


@dataclass(frozen=True)
class Client:
    """One way of recognising who is guessing: ("conversation", id), ("ip", address)."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        return hashlib.sha256(f"{self.kind}:{self.value}".encode()).hexdigest()


class ProofThrottle:
    def __init__(
        self, engine: Engine, limits: dict[str, Limit], clock: Callable[[], float] = time.time
    ) -> None:
        self.engine, self.limits, self.clock = engine, limits, clock
        try:
            metadata.create_all(engine)
        except OperationalError:
            # Two action-server workers start together: the other one created the table
            # between this one's check and its CREATE. Checked again, there is nothing to do.
            metadata.create_all(engine)

    def wait_seconds(self, clients: Sequence[Client]) -> float:
        """0 when every client may try again; else how long the most limited one must wait."""
        now, wait = self.clock(), 0.0
        with self.engine.connect() as db:
            for client in clients:
                limit = self.limits.get(client.kind)
                if limit is None:
                    continue
                since = now - limit.window_s
                count, oldest = db.execute(
                    select(func.count(), func.min(failures.c.at)).where(
                        failures.c.client == client.key, failures.c.at > since
                    )
                ).one()
                if count >= limit.failures:
                    # the window frees a place when the oldest failure in it leaves
                    wait = max(wait, float(oldest) + limit.window_s - now)
        return max(wait, 0.0)

    def record_failure(self, clients: Sequence[Client]) -> None:
        now = self.clock()
        oldest_kept = now - max((limit.window_s for limit in self.limits.values()), default=0)
        with self.engine.begin() as db:
            db.execute(delete(failures).where(failures.c.at < oldest_kept))
            rows = [{"client": c.key, "at": now} for c in clients if c.kind in self.limits]
            if rows:
                db.execute(insert(failures), rows)


@lru_cache(maxsize=1)
def proof_throttle() -> ProofThrottle:
    """The action server's throttle, from the settings (built on first use)."""
    settings = get_settings()
    if settings.proof_throttle_db_url.startswith("sqlite:///"):
        from pathlib import Path

        Path(settings.proof_throttle_db_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    engine = create_engine(settings.proof_throttle_db_url, pool_pre_ping=True)
    window = settings.proof_throttle_minutes * 60.0
    return ProofThrottle(
        engine,
        {
            "conversation": Limit(settings.proof_failures_per_conversation, window),
            "ip": Limit(settings.proof_failures_per_ip, window),
        },
    )
