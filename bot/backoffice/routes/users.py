"""User management (admins): create a user, change a role, deactivate / reactivate."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ..db import Role, User
from ..security import MIN_PASSWORD, AdminUser, Db, find_user, hash_password
from ..web import render

router = APIRouter(prefix="/users")
ROLES = [r.value for r in Role]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _page(request: Request, db: Db, error: str | None = None, status_code: int = 200
          ) -> Response:
    users = db.scalars(select(User).order_by(User.email)).all()
    return render(request, "users.html", {"users": users, "roles": ROLES, "error": error},
                  status_code=status_code)


@router.get("")
def users(request: Request, admin: AdminUser, db: Db) -> Response:
    return _page(request, db)


@router.post("")
def create(
    request: Request, admin: AdminUser, db: Db,
    email: Annotated[str, Form(max_length=254, pattern=EMAIL)],
    display_name: Annotated[str, Form(min_length=1, max_length=100)],
    role: Annotated[str, Form(pattern="^(agent|editor|admin)$")],
    password: Annotated[str, Form(min_length=MIN_PASSWORD, max_length=1024)],
) -> Response:
    if find_user(db, email) is not None:
        return _page(request, db, f"Un compte existe déjà pour {email}.", 409)
    db.add(User(email=email.strip().lower(), display_name=display_name.strip(), role=role,
                password_hash=hash_password(password), active=True))
    db.commit()
    return RedirectResponse("/users", status_code=303)


@router.post("/{user_id}")
def change(
    user_id: int, request: Request, admin: AdminUser, db: Db,
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
    return RedirectResponse("/users", status_code=303)
