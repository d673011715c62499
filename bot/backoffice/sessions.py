"""Revocable sessions: the signed cookie only carries a random token; the session is valid
while its row is in `user_sessions`.

A signed cookie alone would keep working after logout for anyone who copied it. Here logout
deletes the browser's row, and a password change, a reset or a deactivation deletes every row
of that user, so copied cookies stop working at once, in every back-office process.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import delete
from sqlalchemy.orm import Session

from .db import User, UserSession

SESSION_HOURS = 12
COOKIE_KEY = "sid"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_digest(request: Request) -> str | None:
    """The stored id of this browser's session (None when the cookie has none)."""
    token = request.session.get(COOKIE_KEY)
    return _digest(token) if isinstance(token, str) and token else None


def start(request: Request, db: Session, user: User) -> None:
    """Log `user` in on this browser: the previous session of the browser ends, a new one
    starts (fresh token: a token planted before the login is useless)."""
    now: datetime = request.app.state.clock()
    previous = token_digest(request)
    if previous:
        db.execute(delete(UserSession).where(UserSession.id == previous))
    db.execute(delete(UserSession).where(UserSession.expires_at <= now))
    token = secrets.token_urlsafe(32)
    db.add(
        UserSession(
            id=_digest(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=SESSION_HOURS),
        )
    )
    db.commit()
    request.session.clear()
    request.session[COOKIE_KEY] = token


def current(request: Request, db: Session) -> UserSession | None:
    """This browser's session when it is still valid."""
    digest = token_digest(request)
    return valid(db, digest, request.app.state.clock()) if digest else None


def valid(db: Session, digest: str, now: datetime) -> UserSession | None:
    row = db.get(UserSession, digest)
    if row is None or row.expires_at <= now:
        return None
    return row


def end(request: Request, db: Session) -> None:
    """Logout: this browser's session is deleted and its cookie emptied."""
    digest = token_digest(request)
    if digest:
        db.execute(delete(UserSession).where(UserSession.id == digest))
        db.commit()
    request.session.clear()


def end_all(db: Session, user_id: int) -> None:
    """Every session of the user ends (password changed or reset, account deactivated)."""
    db.execute(delete(UserSession).where(UserSession.user_id == user_id))
    db.commit()
