"""Start rasa-sdk's action server as Comptoir needs it:

    python -m bot.action_server --actions actions --port 5055

rasa-sdk's own `python -m rasa_sdk` listens on 0.0.0.0 and runs any action for anyone who
POSTs to /webhook. This one listens on COMPTOIR_ACTIONS_HOST (127.0.0.1 by default) and serves
/webhook and /actions only to a caller with `Authorization: Bearer <token>`: the token is
COMPTOIR_ACTION_TOKEN (else var/action_token), and Rasa sends it because endpoints.yml says
`headers: {Authorization: "Bearer ${COMPTOIR_ACTION_TOKEN}"}` (Rasa 3.6 sends an endpoint's
`headers` with every call). /health stays open: it says nothing.
Everything else (arguments, logging, ACTION_SERVER_SANIC_WORKERS) is rasa-sdk's.
"""

from __future__ import annotations

import hmac
import logging
import os
from functools import partial
from typing import Any, List

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from bot.core.shared_secrets import read_secret

log = logging.getLogger(__name__)
OPEN_PATHS = frozenset({"/health"})


def authorised(header: str | None, token: str) -> bool:
    scheme, _, given = (header or "").partition(" ")
    return (
        scheme.lower() == "bearer"
        and bool(given)
        and bool(token)
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def create_guarded_app(
    action_executor: ActionExecutor, token: str, loglevel: str | None, **options: Any
) -> Sanic:
    """rasa-sdk's app, with the token checked before any action runs. Module-level so that
    Sanic can rebuild it in each worker process; the worker is a new process, so it sets up
    logging again (without it the actions' INFO lines, e.g. each knowledge-base search, were
    dropped)."""
    utils.configure_colored_logging(loglevel)
    app = create_app_for_serve(action_executor, **options)

    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        log.warning("action server call refused: missing or wrong token (from %s)", request.ip)
        return response.json({"error": "unauthorised"}, status=401)

    app.register_middleware(require_token, "request")
    return app


def main(argv: List[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    token = read_secret("action_token")
    host = os.environ.get("COMPTOIR_ACTIONS_HOST", "127.0.0.1")
    loader = AppLoader(
        factory=partial(
            create_guarded_app,
            executor,
            token,
            args.loglevel,
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
