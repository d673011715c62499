"""Login and logout.

A login is throttled before any password is hashed (throttle.LoginThrottle: per account and
per client address, counted in the database) and hashes wait for one of a few slots
(throttle.HashSlots); a success starts a server-side session (sessions.start).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from .. import sessions
from ..sanitize import clean_text
from ..security import check_password, csrf_token, find_user, get_db, session_user
from ..throttle import BUSY, BUSY_RETRY_SECONDS, Refusal
from ..web import render

router = APIRouter()
HOME = {"agent": "/inbox", "editor": "/faq", "manager": "/dashboard", "admin": "/inbox"}


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a freshly logged-in user to another site."""
    if not target:
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    return target


def client_address(request: Request) -> str:
    """The browser's address (behind a reverse proxy on this host, uvicorn takes it from
    X-Forwarded-For: see README, Security)."""
    return request.client.host if request.client else "inconnu"


@router.get("/login")
async def login_page(request: Request, next: str = "") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    state = request.app.state
    email = clean_text(email).strip().lower()
    page = {"next": _safe_next(next), "email": email}
    now = state.clock()
    with state.sessions() as db:
        attempt = state.login_throttle.begin(db, email, client_address(request), now)
        if isinstance(attempt, Refusal):
            return render(
                request,
                "login.html",
                {**page, "error": attempt.message(now)},
                status_code=429,
                headers={"Retry-After": str(attempt.seconds(now))},
            )
        user = find_user(db, email)
        with state.hash_slots.slot() as free:
            if not free:
                state.login_throttle.cancel(db, attempt)
                return render(
                    request,
                    "login.html",
                    {**page, "error": BUSY},
                    status_code=503,
                    headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
                )
            matches = check_password(user, password)
        if not matches or user is None or not user.active:
            return render(
                request,
                "login.html",
                {**page, "error": "E-mail ou mot de passe incorrect."},
                status_code=401,
            )
        state.login_throttle.succeeded(db, attempt)
        sessions.start(request, db, user)
        csrf_token(request)
        target = _safe_next(next) or HOME.get(user.role, "/inbox")
        if user.must_change_password:  # reset by an admin: a new password first
            target = "/account"
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    for db in get_db(request):
        sessions.end(request, db)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    for db in get_db(request):
        user = session_user(request, db)
        if user is not None:
            return RedirectResponse(HOME.get(user.role, "/inbox"), status_code=303)
    return RedirectResponse("/login", status_code=303)
