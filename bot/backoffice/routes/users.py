"""User management (admins): create an account, rename it, change its role, reset its password,
deactivate / reactivate it.

Rules: a new or temporary password must pass the password rule; an admin cannot deactivate
nor demote their own account, nor leave the back office without an active admin (checked in
the same UPDATE statement as the change, so two admins demoting each other at once cannot both
succeed); an admin's own password is changed from « Mon compte » (which asks for the current
one), not here. Resetting a password or deactivating an account ends all its sessions at once
(reactivating it does not bring them back).

Every action is a POST with the session's CSRF token (security.csrf_protect). A success
redirects (303) to the page, which shows a French confirmation kept in the session until shown
once; a refusal shows the page again with the reason. A generated password is the exception:
it is shown once in the response to the POST itself (never stored, not cacheable).
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import CursorResult, func, or_, select, update
from sqlalchemy.orm import Session

from .. import sessions
from ..db import Role, User
from ..passwords import generate_password, password_problem
from ..sanitize import clean_text
from ..security import AdminUser, Db, find_user, hash_in_slot
from ..throttle import BUSY, BUSY_RETRY_SECONDS
from ..web import ROLES_FR, render

router = APIRouter(prefix="/users")
ROLES = [r.value for r in Role]
ROLE_PATTERN = "^(agent|editor|manager|admin)$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
FLASH = "users_flash"  # the confirmation shown once by the next page
NO_STORE = {"Cache-Control": "no-store"}

SELF_DEACTIVATE = (
    "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur."
)
SELF_DEMOTE = "Vous ne pouvez pas retirer vos propres droits d'administrateur."
LAST_ADMIN = (
    "Refusé : c'est le dernier administrateur actif. Nommez d'abord un autre administrateur, "
    "sans quoi plus personne ne pourrait gérer les comptes."
)
SELF_RESET = (
    "Votre propre mot de passe se change depuis « Mon compte », qui demande l'actuel : "
    "rien n'a été changé."
)
SESSIONS_ENDED = "Ses sessions ouvertes ont été fermées : l'ancien mot de passe ne fonctionne plus."
HAND_OVER = (
    "Transmettez-le de vive voix ou par téléphone (pas par e-mail ni par messagerie) : "
    "à sa prochaine connexion, il lui sera demandé d'en choisir un nouveau."
)


def of(name: str) -> str:
    """« de Nadia », « d'Alice »: French elides "de" before a vowel."""
    elided = name[:1].lower() in tuple("aeiouyàâéèêëîïôöûüœæ")
    return f"d'{name}" if elided else f"de {name}"


# --- service -------------------------------------------------------------------------------


def set_access(db: Session, user: User, *, role: str, active: bool) -> bool:
    """Give `user` this role and state unless that would leave no active admin; True if done.

    The rule is part of the UPDATE's condition, evaluated by the database with the change
    (SQLite serialises writers); on PostgreSQL the active admins' rows are locked first, so a
    concurrent demotion waits and then sees this one."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(
            select(User.id)
            .where(User.role == Role.admin.value, User.active.is_(True))
            .with_for_update()
        )
    statement = update(User).where(User.id == user.id).values(role=role, active=active)
    if role != Role.admin.value or not active:
        other_admins = (
            select(func.count())
            .select_from(User)
            .where(User.role == Role.admin.value, User.active.is_(True), User.id != user.id)
            .scalar_subquery()
        )
        statement = statement.where(
            or_(User.role != Role.admin.value, User.active.is_(False), other_admins > 0)
        )
    result = db.execute(statement.execution_options(synchronize_session=False))
    done = cast(CursorResult[Any], result).rowcount == 1
    db.commit()
    db.refresh(user)
    if done and not active:
        sessions.end_all(db, user.id)
    return done


def access_refusal(admin: User, user: User, *, role: str, active: bool) -> str | None:
    """Why `admin` may not give `user` this role and state (None: allowed, if set_access
    confirms that an active admin remains)."""
    if user.id == admin.id and not active:
        return SELF_DEACTIVATE
    if user.id == admin.id and role != Role.admin.value:
        return SELF_DEMOTE
    return None


def change_access(db: Session, admin: User, user: User, *, role: str, active: bool) -> str | None:
    """Apply the change; None when done, else the French reason it was refused."""
    refusal = access_refusal(admin, user, role=role, active=active)
    if refusal is None and not set_access(db, user, role=role, active=active):
        refusal = LAST_ADMIN
    return refusal


def reset_password(db: Session, user: User, password_hash: str) -> None:
    """The new hash, and every session of the account ends (copied cookies included)."""
    user.password_hash = password_hash
    user.must_change_password = True
    db.commit()
    sessions.end_all(db, user.id)


# --- pages ---------------------------------------------------------------------------------


def _flash(request: Request, text: str) -> None:
    request.session[FLASH] = text


def _pop_flash(request: Request) -> str | None:
    text = request.session.pop(FLASH, None)
    return text if isinstance(text, str) else None


def _page(
    request: Request,
    db: Db,
    error: str | None = None,
    status_code: int = 200,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    users = db.scalars(select(User).order_by(User.active.desc(), User.email)).all()
    return render(
        request,
        "users.html",
        {
            "users": users,
            "roles": ROLES,
            "of": of,
            "error": error,
            "done": None if error else _pop_flash(request),
            "form": form or {},
        },
        status_code=status_code,
        headers=headers,
    )


def _user_or_404(db: Db, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise HTTPException(404, "Utilisateur introuvable.")
    return user


def _manage(
    request: Request,
    db: Db,
    account: User,
    *,
    error: str | None = None,
    status_code: int = 200,
    temporary: str | None = None,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    active_admins = db.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.admin.value, User.active.is_(True))
    )
    return render(
        request,
        "users_manage.html",
        {
            "account": account,
            "roles": ROLES,
            "of": of,
            "error": error,
            "done": None if error or temporary else _pop_flash(request),
            "temporary": temporary,
            "last_admin": account.role == Role.admin.value
            and account.active
            and active_admins == 1,
            "form": form or {},
        },
        status_code=status_code,
        headers={**NO_STORE, **(headers or {})},
    )


def _back(request: Request, user_id: int, text: str) -> Response:
    _flash(request, text)
    return RedirectResponse(f"/users/{user_id}", status_code=303)


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
    role: Annotated[str, Form(pattern=ROLE_PATTERN)],
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
    _flash(
        request,
        f"Compte créé pour {display_name} ({email}), {ROLES_FR[role]}. "
        "Transmettez-lui son mot de passe de vive voix ; il pourra le changer depuis "
        "« Mon compte ».",
    )
    return RedirectResponse("/users", status_code=303)


@router.get("/{user_id}")
def manage(user_id: int, request: Request, admin: AdminUser, db: Db) -> Response:
    return _manage(request, db, _user_or_404(db, user_id))


@router.post("/{user_id}")
def change(
    user_id: int,
    request: Request,
    admin: AdminUser,
    db: Db,
    role: Annotated[str, Form(pattern=ROLE_PATTERN)],
    active: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    """Role and state in one form (the former table form; scripts may still post it)."""
    user = _user_or_404(db, user_id)
    refusal = change_access(db, admin, user, role=role, active=bool(active))
    if refusal:
        return _page(request, db, refusal, 409)
    state = "actif" if user.active else "désactivé (sessions fermées)"
    _flash(request, f"Compte {of(user.display_name)} : {ROLES_FR[user.role]}, {state}.")
    return RedirectResponse("/users", status_code=303)


@router.post("/{user_id}/name")
def rename(
    user_id: int,
    request: Request,
    admin: AdminUser,
    db: Db,
    display_name: Annotated[str, Form(min_length=1, max_length=100)],
) -> Response:
    user = _user_or_404(db, user_id)
    name = " ".join(clean_text(display_name).split())
    if not name:
        return _manage(
            request,
            db,
            user,
            error="Le nom affiché est vide : rien n'a été changé.",
            status_code=422,
        )
    if name == user.display_name:
        return _back(request, user.id, f"Le nom affiché était déjà « {name} » : rien à changer.")
    before, user.display_name = user.display_name, name
    db.commit()
    return _back(
        request,
        user.id,
        f"Nom affiché changé : « {before} » s'appelle désormais « {name} » "
        "(dans le back office et auprès des clients).",
    )


@router.post("/{user_id}/role")
def change_role(
    user_id: int,
    request: Request,
    admin: AdminUser,
    db: Db,
    role: Annotated[str, Form(pattern=ROLE_PATTERN)],
) -> Response:
    user = _user_or_404(db, user_id)
    if role == user.role:
        return _back(request, user.id, f"{user.display_name} est déjà {ROLES_FR[role]}.")
    refusal = change_access(db, admin, user, role=role, active=user.active)
    if refusal:
        return _manage(request, db, user, error=refusal, status_code=409)
    return _back(
        request, user.id, f"Rôle changé : {user.display_name} est maintenant {ROLES_FR[role]}."
    )


@router.post("/{user_id}/deactivate")
def deactivate(user_id: int, request: Request, admin: AdminUser, db: Db) -> Response:
    user = _user_or_404(db, user_id)
    if not user.active:
        return _back(request, user.id, f"Le compte {of(user.display_name)} était déjà désactivé.")
    refusal = change_access(db, admin, user, role=user.role, active=False)
    if refusal:
        return _manage(request, db, user, error=refusal, status_code=409)
    return _back(
        request,
        user.id,
        f"Compte {of(user.display_name)} désactivé. Ses sessions ouvertes ont été fermées et "
        "plus aucune connexion n'est possible avec ce compte tant qu'il n'est pas réactivé. "
        "Ses cas et ses modifications de la FAQ restent à son nom.",
    )


@router.post("/{user_id}/reactivate")
def reactivate(user_id: int, request: Request, admin: AdminUser, db: Db) -> Response:
    user = _user_or_404(db, user_id)
    if user.active:
        return _back(request, user.id, f"Le compte {of(user.display_name)} était déjà actif.")
    refusal = change_access(db, admin, user, role=user.role, active=True)
    if refusal:  # pragma: no cover - reactivating never removes an admin
        return _manage(request, db, user, error=refusal, status_code=409)
    return _back(
        request,
        user.id,
        f"Compte {of(user.display_name)} réactivé : la personne peut de nouveau se connecter "
        "avec son mot de passe.",
    )


@router.post("/{user_id}/password")
def reset(
    user_id: int,
    request: Request,
    admin: AdminUser,
    db: Db,
    mode: Annotated[str, Form(pattern="^(generate|choose)$")] = "generate",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    user = _user_or_404(db, user_id)
    if user.id == admin.id:
        return _manage(request, db, user, error=SELF_RESET, status_code=409)
    if mode == "generate":
        password = generate_password(email=user.email, name=user.display_name)
    else:
        problem = password_problem(password, email=user.email, name=user.display_name)
        if problem:
            return _manage(
                request,
                db,
                user,
                error=f"{problem} Rien n'a été changé.",
                status_code=422,
                form={"mode": "choose"},
            )
    password_hash = hash_in_slot(request, password)
    if password_hash is None:
        return _manage(
            request,
            db,
            user,
            error=BUSY,
            status_code=503,
            headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
        )
    reset_password(db, user, password_hash)
    if mode == "generate":
        return _manage(request, db, user, temporary=password)
    return _back(
        request,
        user.id,
        f"Mot de passe {of(user.display_name)} réinitialisé avec celui que vous avez choisi. "
        f"{SESSIONS_ENDED} {HAND_OVER}",
    )
