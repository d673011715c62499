"""Passwords (argon2), sessions, roles, CSRF and the service token.

Sessions are rows on the server (sessions.py), so they can be revoked; the password rule is in
passwords.py, login throttling and bounded hashing in throttle.py.
Every page needs a logged-in user with the right role (`require(...)`); every state-changing
request made with a session needs the session's CSRF token (`csrf_protect`, installed as a
global dependency so that no route can forget it); the service API needs the bearer token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import sessions
from .db import Role, User

hasher = PasswordHasher()
_DUMMY_HASH = hasher.hash("pas un vrai mot de passe")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PRESENCE_REFRESH = timedelta(seconds=15)
AGENT_ROLES = (Role.agent.value, Role.admin.value)
EDITOR_ROLES = (Role.editor.value, Role.admin.value)
ADMIN_ROLES = (Role.admin.value,)
MANAGER_ROLES = (Role.manager.value, Role.admin.value)  # the dashboard


def hash_password(password: str) -> str:
    return hasher.hash(password)


def hash_in_slot(request: Request, password: str) -> str | None:
    """The argon2 hash, computed in one of the process's hash slots (throttle.HashSlots);
    None when no slot freed up in time."""
    with request.app.state.hash_slots.slot() as free:
        return hash_password(password) if free else None


def check_password(user: User | None, password: str) -> bool:
    """True when the password matches; same work whether or not the user exists."""
    try:
        return hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


class LoginRequired(Exception):
    """No valid session: pages redirect to /login, scripts get 401."""


class PasswordChangeRequired(Exception):
    """An admin reset this account's password: pages redirect to « Mon compte », scripts get
    403, until the person has chosen a new one."""


def get_db(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


Db = Annotated[Session, Depends(get_db)]


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def csrf_protect(request: Request) -> None:
    """403 on a state-changing request without this session's token (header or form field)."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    expected = request.session.get("csrf")
    sent = request.headers.get("x-csrf-token")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await request.form()).get("csrf_token") or "")
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise HTTPException(403, "Jeton CSRF manquant ou invalide : rechargez la page.")


def session_user(request: Request, db: Session) -> User | None:
    """The user of this browser's session, while the session row exists and the account is
    active (a deactivated account loses all its sessions here at the latest)."""
    row = sessions.current(request, db)
    if row is None:
        request.session.pop(sessions.COOKIE_KEY, None)
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        sessions.end_all(db, row.user_id)
        request.session.pop(sessions.COOKIE_KEY, None)
        return None
    return user


def require(*roles: str, before_new_password: bool = False) -> Callable[..., Any]:
    """Dependency: the logged-in user, if their role is one of `roles` (else 303/401, 403),
    and, unless `before_new_password`, once any password reset by an admin has been replaced."""

    def dependency(request: Request, db: Db) -> User:
        user = session_user(request, db)
        if user is None:
            raise LoginRequired()
        if user.role not in roles:
            raise HTTPException(403, "Accès réservé à un autre rôle.")
        if user.must_change_password and not before_new_password:
            raise PasswordChangeRequired()
        if user.role in AGENT_ROLES:
            now = request.app.state.clock()
            if user.last_seen is None or now - user.last_seen > PRESENCE_REFRESH:
                user.last_seen = now
                db.commit()
        request.state.user = user
        return user

    return dependency


def require_service(request: Request) -> None:
    """The action server's bearer token (compared in constant time)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    expected = request.app.state.service_token
    if (
        scheme.lower() != "bearer"
        or not token
        or not hmac.compare_digest(token.encode(), expected.encode())
    ):
        raise HTTPException(401, "service token required", headers={"WWW-Authenticate": "Bearer"})


def find_user(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == email.strip().lower()))


AgentUser = Annotated[User, Depends(require(*AGENT_ROLES))]
EditorUser = Annotated[User, Depends(require(*EDITOR_ROLES))]
AdminUser = Annotated[User, Depends(require(*ADMIN_ROLES))]
ManagerUser = Annotated[User, Depends(require(*MANAGER_ROLES))]
AnyUser = Annotated[User, Depends(require(*(r.value for r in Role)))]
# « Mon compte »: reachable with a password reset by an admin, to replace it.
AccountUser = Annotated[User, Depends(require(*(r.value for r in Role), before_new_password=True))]
