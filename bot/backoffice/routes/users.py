"""User management (admins): create a user, change a role, deactivate / reactivate.

A new account's password must pass the password rule; deactivating an account ends all its
sessions at once (reactivating it does not bring them back).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from .. import sessions
from ..db import Role, User
from ..passwords import password_problem
from ..sanitize import clean_text
from ..security import AdminUser, Db, find_user, hash_in_slot
from ..throttle import BUSY, BUSY_RETRY_SECONDS
from ..web import render

router = APIRouter(prefix="/users")
ROLES = [r.value for r in Role]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _page(
    request: Request,
    db: Db,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    users = db.scalars(select(User).order_by(User.email)).all()
    return render(
        request,
        "users.html",
        {"users": users, "roles": ROLES, "error": error, "form": form or {}},
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def users(request: Request, admin: AdminUser, db: Db) -> Response:
    return _page(request, db)


@router.post("")
def create(
    request: Request,
    admin: AdminUser,
    db: Db,
    email: Annotated[str, Form(max_length=254, pattern=EMAIL)],
    display_name: Annotated[str, Form(min_length=1, max_length=100)],
    role: Annotated[str, Form(pattern="^(agent|editor|admin)$")],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    email, display_name = clean_text(email).strip().lower(), clean_text(display_name).strip()
    form = {"email": email, "display_name": display_name, "role": role}
    if not display_name:
        return _page(request, db, "Le nom affiché est vide.", 422, form)
    if find_user(db, email) is not None:
        return _page(request, db, f"Un compte existe déjà pour {email}.", 409, form)
    problem = password_problem(password, email=email, name=display_name)
    if problem:
        return _page(request, db, problem, 422, form)
    password_hash = hash_in_slot(request, password)
    if password_hash is None:
        return _page(request, db, BUSY, 503, form, {"Retry-After": str(BUSY_RETRY_SECONDS)})
    db.add(
        User(
            email=email,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            active=True,
        )
    )
    db.commit()
    return RedirectResponse("/users", status_code=303)


@router.post("/{user_id}")
def change(
    user_id: int,
    request: Request,
    admin: AdminUser,
    db: Db,
    role: Annotated[str, Form(pattern="^(agent|editor|admin)$")],
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(404, "Utilisateur introuvable.")
    if user.id == admin.id and (role != "admin" or not active):
        return _page(request, db, "Vous ne pouvez pas retirer vos propres droits.", 409)
    user.role, user.active = role, bool(active)
    db.commit()
    if not user.active:
        sessions.end_all(db, user.id)
    return RedirectResponse("/users", status_code=303)
