"""Start rasa-sdk's action server as Comptoir needs it:

    python -m bot.action_server --actions actions --port 5055

rasa-sdk's own `python -m rasa_sdk` listens on 0.0.0.0 and runs any action for anyone who
POSTs to /webhook. This one listens on COMPTOIR_ACTIONS_HOST (127.0.0.1 by default) and port
COMPTOIR_ACTIONS_PORT (bot/settings.py), and serves
/webhook and /actions only to a caller with `Authorization: Bearer <token>`: the token is
COMPTOIR_ACTION_TOKEN (else var/action_token), and Rasa sends it because endpoints.yml says
`headers: {Authorization: "Bearer ${COMPTOIR_ACTION_TOKEN}"}` (Rasa 3.6 sends an endpoint's
`headers` with every call). /health stays open: it says nothing.

Before a worker serves, it calls the actions package's start-up hook, `on_server_start()`
(actions/__init__.py: builds the clients, loads the knowledge base with COMPTOIR_KB_WARM_UP=1),
so nothing happens when the actions are merely imported.
Logging is Comptoir's one configuration (bot/core/logs.py); everything else (arguments,
ACTION_SERVER_SANIC_WORKERS) is rasa-sdk's.
"""

from __future__ import annotations

import hmac
import importlib
import logging
from functools import partial
from typing import Any, Callable, List

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from bot.core.logs import configure as configure_logging
from bot.core.private_files import private_umask
from bot.core.shared_secrets import read_secret
from bot.settings import get_settings

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})
STARTUP_HOOK = "on_server_start"  # of the actions package, called in each worker


def authorised(header: str | None, token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    return (
        scheme.lower() == "bearer"
        and bool(given)
        and bool(token)
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def startup_hook(package: str | None) -> Callable[[], Any] | None:
    """The actions package's `on_server_start`, when it has one."""
    if not package:
        return None
    hook = getattr(importlib.import_module(package), STARTUP_HOOK, None)
    return hook if callable(hook) else None


def create_guarded_app(
    action_executor: ActionExecutor,
    token: str,
    loglevel: str | None,
    actions_package: str | None = None,
    **options: Any,
) -> Sanic:
    """rasa-sdk's app, with the token checked before any action runs. Module-level so that
    Sanic can rebuild it in each worker process; the worker is a new process, so it sets up
    logging again (without it the actions' INFO lines, e.g. each knowledge-base search, were
    dropped), and readies the actions' clients before it serves (`startup_hook`)."""
    configure_logging(loglevel or get_settings().log_level)
    app = create_app_for_serve(action_executor, **options)
    hook = startup_hook(actions_package)
    if hook is not None:

        async def start_actions(app: Sanic) -> None:
            hook()

        app.register_listener(start_actions, "before_server_start")

    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        log.warning("action server call refused: missing or wrong token (from %s)", request.ip)
        return response.json({"error": "unauthorised"}, status=401)

    app.register_middleware(require_token, "request")
    return app


def main(argv: List[str] | None = None) -> None:
    settings = get_settings()
    # the proof throttle and the FAQ feedback: 0600 (the workers inherit the umask)
    private_umask(settings.proof_throttle_db_url, settings.faq_feedback_file)
    parser = create_argument_parser()
    parser.set_defaults(port=settings.actions_port)
    args = parser.parse_args(argv)
    configure_logging(args.loglevel or settings.log_level)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    executor = ActionExecutor()
    package = args.actions_module or args.actions
    executor.register_package(package)
    token = read_secret("action_token")
    host = settings.actions_host
    loader = AppLoader(
        factory=partial(
            create_guarded_app,
            executor,
            token,
            args.loglevel,
            package,
            cors_origins=args.cors,
            auto_reload=args.auto_reload,
            endpoints=args.endpoints,
        )
    )
    app = loader.load()
    app.prepare(host=host, port=args.port, workers=utils.number_of_sanic_workers())
    log.info("action server on http://%s:%s (token required)", host, args.port)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
