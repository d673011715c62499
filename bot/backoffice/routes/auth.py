"""Login and logout."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..security import check_password, csrf_token, find_user, get_db, session_user
from ..web import render

router = APIRouter()
HOME = {"agent": "/inbox", "editor": "/faq", "admin": "/inbox"}


def _safe_next(target: str | None) -> str:
    """Only local paths: never redirect a freshly logged-in user to another site."""
    if not target:
        return ""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return ""
    return target


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
    with request.app.state.sessions() as db:
        user = find_user(db, email)
        if not check_password(user, password) or user is None or not user.active:
            return render(
                request,
                "login.html",
                {"next": _safe_next(next), "error": "E-mail ou mot de passe incorrect.",
                 "email": email},
                status_code=401,
            )
        request.session.clear()
        request.session["user_id"] = user.id
        csrf_token(request)
        target = _safe_next(next) or HOME.get(user.role, "/inbox")
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    for db in get_db(request):
        user = session_user(request, db)
        if user is not None:
            return RedirectResponse(HOME.get(user.role, "/inbox"), status_code=303)
    return RedirectResponse("/login", status_code=303)
