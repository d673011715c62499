"""Conversations erased at a shopper's request (bot/privacy), as every process can ask about them.

The erasure (`python -m bot.privacy erase`, or the back office's « Données personnelles » page)
records each erased conversation id here; the widget's channel asks `was_erased(id)` when a
browser comes back with a conversation id, and tells the widget to clear its local history.
Standard library only: the Rasa server (Python 3.10) calls it as well as the 3.11 processes.

The file is a small SQLite database (var/forgotten.db, created 0600) holding keyed hashes
(HMAC-SHA256) of the ids, never the ids themselves: the key is the shared
`conversation_secret` (bot/core/shared_secrets.py, COMPTOIR_CONVERSATION_SECRET or
var/conversation_secret), the same in every process of one installation.

    was_erased(conversation_id, path=DEFAULT_PATH) -> bool
    erased_at(conversation_id, path=DEFAULT_PATH) -> float | None   # Unix time of the erasure
    record(conversation_ids, path=DEFAULT_PATH, at=None) -> int     # what an erasure calls
    drop_before(timestamp, path=DEFAULT_PATH) -> int                # what the retention purge calls
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Iterable

from bot.core.shared_secrets import VAR, read_secret

DEFAULT_PATH = VAR / "forgotten.db"
_SCHEMA = "CREATE TABLE IF NOT EXISTS forgotten (key TEXT PRIMARY KEY, erased_at REAL NOT NULL)"


def conversation_key(conversation_id: str, key: str | None = None) -> str:
    """The stored form of a conversation id: HMAC-SHA256 with the conversation secret, in hex."""
    secret = (key if key is not None else read_secret("conversation_secret")).encode("utf-8")
    return hmac.new(secret, conversation_id.encode("utf-8"), hashlib.sha256).hexdigest()


def _connect(path: Path, create: bool) -> sqlite3.Connection | None:
    path = Path(path)
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # 0600 before SQLite opens it
    connection = sqlite3.connect(str(path), timeout=15)
    connection.execute(_SCHEMA)
    return connection


def erased_at(
    conversation_id: str, path: Path = DEFAULT_PATH, *, key: str | None = None
) -> float | None:
    """When this conversation was erased (Unix time), or None if it never was."""
    connection = _connect(path, create=False)
    if connection is None:
        return None
    with closing(connection):
        row = connection.execute(
            "SELECT erased_at FROM forgotten WHERE key = ?",
            (conversation_key(conversation_id, key),),
        ).fetchone()
    return float(row[0]) if row else None


def was_erased(conversation_id: str, path: Path = DEFAULT_PATH, *, key: str | None = None) -> bool:
    """True when this conversation was erased at the shopper's request."""
    return erased_at(conversation_id, path, key=key) is not None


def record(
    conversation_ids: Iterable[str],
    path: Path = DEFAULT_PATH,
    *,
    at: float | None = None,
    key: str | None = None,
) -> int:
    """Remember these conversations as erased (now, or at `at`); returns how many."""
    when = time.time() if at is None else at
    keys = sorted({conversation_key(c, key) for c in conversation_ids})
    if not keys:
        return 0
    connection = _connect(path, create=True)
    assert connection is not None
    with closing(connection), connection:
        connection.executemany(
            "INSERT OR REPLACE INTO forgotten (key, erased_at) VALUES (?, ?)",
            [(k, when) for k in keys],
        )
    return len(keys)


def drop_before(timestamp: float, path: Path = DEFAULT_PATH) -> int:
    """Forget the erasures recorded before `timestamp` (retention); returns how many."""
    connection = _connect(path, create=False)
    if connection is None:
        return 0
    with closing(connection), connection:
        return connection.execute(
            "DELETE FROM forgotten WHERE erased_at < ?", (timestamp,)
        ).rowcount
