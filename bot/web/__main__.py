"""python -m bot.web serve [--host H] [--port P] [--socket-url URL]: the demo shop page + widget."""

from __future__ import annotations

import argparse
import sys

from bot.core.logs import configure as configure_logging
from bot.core.private_files import private_umask
from bot.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.web",
        description="Serve Comptoir's chat widget (/widget/comptoir.js) and a demo shop page "
        "(/) that embeds it.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("serve", help="run the demo page and the widget files with uvicorn")
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (%(default)s)")
    p.add_argument(
        "--port",
        type=int,
        default=get_settings().web_port,
        help="port to listen on (default: COMPTOIR_WEB_PORT, %(default)s)",
    )
    p.add_argument(
        "--socket-url",
        default=get_settings().socket_url,
        help="Rasa socket.io URL given to the widget (default: "
        "COMPTOIR_WIDGET_SOCKET_URL, %(default)s)",
    )
    p.add_argument(
        "--log-level",
        default=get_settings().log_level.lower(),
        choices=["critical", "error", "warning", "info", "debug"],
        help="default: COMPTOIR_LOG_LEVEL, %(default)s",
    )
    args = parser.parse_args(argv)
    private_umask()
    import uvicorn

    from bot.web.app import create_app

    configure_logging(args.log_level)
    uvicorn.run(
        create_app(args.socket_url),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        log_config=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
