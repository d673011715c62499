"""The back office's FastAPI application: `create_app(settings)`.

uvicorn --factory bot.backoffice.app:create_app      (or: python -m bot.backoffice serve)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from bot.privacy import schedule as purge_schedule
from bot.settings import Settings, get_settings

from . import analytics
from .db import make_engine, make_sessionmaker, migrate, utcnow
from .events import Broadcaster
from .headers import SECURITY_HEADERS, SecurityHeaders
from .mail import worker as mail_worker
from .notices import worker as notice_worker
from .rasa import RasaClient
from .routes import account, api, auth, case_tools, faq, inbox, notices, privacy, users
from .routes import attachments as attachment_routes
from .routes import dashboard as dashboard_routes
from .routes import mail as mail_routes
from .routes import unanswered as unanswered_routes
from .security import LoginRequired, PasswordChangeRequired, csrf_protect
from .sessions import SESSION_HOURS
from .throttle import HashSlots, LoginThrottle
from .web import env, render

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


def create_app(
    settings: Settings | None = None,
    *,
    kb: Any = None,
    clock: Callable[[], datetime] | None = None,
    run_migrations: bool = True,
) -> FastAPI:
    """The back office. `kb`: a bot.kb KnowledgeBase (default: the process-wide one over
    COMPTOIR_KB_DIR); `clock`: returns the aware current time (tests fix it)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_migrations:
            migrate(settings.backoffice_db_url)
        # Retention purge (bot/privacy/schedule.py): shortly after start-up, then on schedule.
        purge = purge_schedule.start(
            settings, app.state.engine, app.state.clock, app.state.purge_delay
        )
        # Delay notices (bot/backoffice/notices): the queue's worker and the shop's poller.
        notice_tasks = notice_worker.start(app.state)
        # After-hours replies by e-mail (bot/backoffice/mail): the outbox's worker.
        mail_tasks = mail_worker.start(app.state)
        # The dashboard's copy of the tracker store (bot/backoffice/analytics).
        dashboard_copy = analytics.start(app.state)
        yield
        await analytics.stop(dashboard_copy)
        await mail_worker.stop(mail_tasks)
        await notice_worker.stop(notice_tasks)
        await purge_schedule.stop(purge)
        app.state.engine.dispose()

    app = FastAPI(
        title="Comptoir — back office",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(csrf_protect)],
    )
    engine = make_engine(settings.backoffice_db_url)
    if kb is None:
        from bot import kb as kb_module

        kb = kb_module.KnowledgeBase(settings=settings.kb)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.kb = kb
    app.state.clock = clock or utcnow
    app.state.broadcaster = Broadcaster()
    app.state.rasa = RasaClient(str(settings.rasa_url), settings.secret("rasa_token"))
    app.state.service_token = settings.secret("service_token")
    app.state.sse_keepalive = 15.0
    app.state.purge_delay = 30.0  # seconds after start-up before the first retention purge
    app.state.shop_client = None  # made on first use (notices); tests put a fake one here
    app.state.login_throttle = LoginThrottle.from_settings(settings)
    app.state.hash_slots = HashSlots.from_settings(settings)
    env.globals["timezone"] = settings.support_timezone

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret("session_secret"),
        session_cookie="comptoir_backoffice",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=str(settings.backoffice_public_url).startswith("https"),
    )
    app.add_middleware(SecurityHeaders)  # added last: outermost, so on every response
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, account, api, notices, inbox, case_tools, faq, users, privacy):
        app.include_router(module.router)
    app.include_router(notices.webhooks)
    app.include_router(attachment_routes.router)
    app.include_router(mail_routes.router)
    app.include_router(unanswered_routes.router)
    app.include_router(dashboard_routes.router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and wants_html and not request.headers.get("hx-request"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        return JSONResponse(
            {"detail": "login required"}, status_code=401, headers={"HX-Redirect": "/login"}
        )

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, _: PasswordChangeRequired) -> Response:
        wants_html = "text/html" in request.headers.get("accept", "")
        if request.method == "GET" and wants_html and not request.headers.get("hx-request"):
            return RedirectResponse("/account", status_code=303)
        return JSONResponse(
            {"detail": "password change required"},
            status_code=403,
            headers={"HX-Redirect": "/account"},
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return render(
            request, "error.html", {"message": error.detail}, status_code=error.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        errors = safe_errors(error.errors())
        if request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
            "accept", ""
        ):
            return JSONResponse({"detail": errors}, status_code=422)
        fields = ", ".join(str(e["loc"][-1]) if e["loc"] else "?" for e in errors)
        return render(
            request, "error.html", {"message": f"Champ invalide : {fields}."}, status_code=422
        )

    @app.exception_handler(Exception)
    async def crashed(request: Request, error: Exception) -> Response:
        """Runs outside the middlewares (Starlette's ServerErrorMiddleware): sets the security
        headers itself."""
        if request.url.path.startswith("/api/"):
            return JSONResponse(
                {"detail": "internal error"}, status_code=500, headers=SECURITY_HEADERS
            )
        message = "Erreur inattendue : rien n'a été modifié. Réessayez dans un instant."
        try:
            return render(
                request,
                "error.html",
                {"message": message},
                status_code=500,
                headers=SECURITY_HEADERS,
            )
        except Exception:  # noqa: BLE001 - the error page must not fail in turn
            return Response(
                message,
                status_code=500,
                media_type="text/plain; charset=utf-8",
                headers=SECURITY_HEADERS,
            )

    return app


def safe_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without the input: echoing it could fail to encode (NaN, lone
    surrogates: a 500 instead of a 422) and would send personal data back."""

    def printable(value: Any) -> Any:
        if isinstance(value, int):
            return value
        return str(value).encode("utf-8", "replace").decode("utf-8")

    return [
        {
            "type": printable(e.get("type", "")),
            "msg": printable(e.get("msg", "")),
            "loc": [printable(part) for part in e.get("loc", ())],
        }
        for e in errors
    ]
