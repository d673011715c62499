"""Your account: change your own password.

The current password is checked under the login throttle (a stolen session cannot be used to
guess it at leisure); the new one must pass the password rule. Changing it ends every session
of the account, on every device, and opens a fresh one for this browser.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from .. import sessions
from ..db import User
from ..passwords import password_problem
from ..security import AccountUser, Db, check_password, csrf_token, hash_password
from ..throttle import BUSY, BUSY_RETRY_SECONDS, Refusal
from ..web import render
from .auth import client_address

router = APIRouter(prefix="/account")
Secret = Annotated[str, Form(max_length=1024)]


def _page(
    request: Request,
    *,
    error: str | None = None,
    done: bool = False,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "account.html",
        {"error": error, "done": done},
        status_code=status_code,
        headers=headers,
    )


@router.get("")
def account(request: Request, user: AccountUser, changed: str = "") -> Response:
    return _page(request, done=bool(changed))


@router.post("/password")
def change_password(
    request: Request,
    user: AccountUser,
    db: Db,
    current_password: Secret,
    new_password: Secret,
    confirm_password: Secret,
) -> Response:
    if new_password != confirm_password:
        return _page(request, error="Les deux nouveaux mots de passe diffèrent.", status_code=422)
    problem = password_problem(new_password, email=user.email, name=user.display_name)
    if problem:
        return _page(request, error=problem, status_code=422)
    state = request.app.state
    now = state.clock()
    attempt = state.login_throttle.begin(db, user.email, client_address(request), now)
    if isinstance(attempt, Refusal):
        return _page(
            request,
            error=attempt.message(now),
            status_code=429,
            headers={"Retry-After": str(attempt.seconds(now))},
        )
    with state.hash_slots.slot() as free:
        if not free:
            state.login_throttle.cancel(db, attempt)
            return _page(
                request,
                error=BUSY,
                status_code=503,
                headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
            )
        if not check_password(user, current_password):
            return _page(
                request,
                error="Mot de passe actuel incorrect : rien n'a été changé.",
                status_code=403,
            )
        new_hash = hash_password(new_password)
    state.login_throttle.succeeded(db, attempt)
    _set_password(db, user, new_hash)
    sessions.start(request, db, user)
    csrf_token(request)
    return RedirectResponse("/account?changed=1", status_code=303)


def _set_password(db: Db, user: User, password_hash: str) -> None:
    user.password_hash = password_hash
    user.must_change_password = False
    db.commit()
    sessions.end_all(db, user.id)
