"""python -m bot.web serve [--host H] [--port P] [--socket-url URL]: the demo shop page + widget."""

from __future__ import annotations

import argparse
import os
import sys

from bot.web.app import default_socket_url


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
        default=int(os.environ.get("COMPTOIR_WEB_PORT") or 8200),
        help="port to listen on (default: COMPTOIR_WEB_PORT, %(default)s)",
    )
    p.add_argument(
        "--socket-url",
        default=default_socket_url(),
        help="Rasa socket.io URL given to the widget (default: "
        "COMPTOIR_WIDGET_SOCKET_URL, %(default)s)",
    )
    p.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    args = parser.parse_args(argv)
    import uvicorn

    from bot.web.app import create_app

    uvicorn.run(
        create_app(args.socket_url), host=args.host, port=args.port, log_level=args.log_level
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
