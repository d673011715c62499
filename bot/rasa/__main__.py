"""Start the Rasa server as Comptoir needs it:

    python -m bot.rasa run --enable-api -i 127.0.0.1 --port 5005 --model … --endpoints …

Any `rasa` command line works; before handing it to Rasa, this:
- gives Rasa its API token in-process (COMPTOIR_RASA_TOKEN, else var/rasa_token), so the token
  is never on a command line that `ps` shows; a `--auth-token` given here is refused;
- puts the action server's token (COMPTOIR_ACTION_TOKEN, else var/action_token) in the
  environment, where endpoints.yml's `${COMPTOIR_ACTION_TOKEN}` finds it;
- fills in what endpoints.yml and the command line leave to the environment, from the ports
  table (bot/core/ports.py): the port (COMPTOIR_RASA_PORT), the action server's URL
  (COMPTOIR_ACTION_URL) and the tracker database (COMPTOIR_TRACKER_DB, var/tracker.db);
- replaces Rasa's colored logging with Comptoir's one configuration (bot/core/logs.py);
- installs the intent guard (bot/rasa/intent_guard.py), the turn composer
  (bot/rasa/turn_composer.py) and the speed-ups that COMPTOIR_RASA_SPEEDUPS names
  (bot/rasa/speedups).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import List, MutableMapping

from bot.core import logs, ports
from bot.core.private_files import private_umask
from bot.core.shared_secrets import read_secret

ROOT = Path(__file__).resolve().parents[2]

log = logging.getLogger(__name__)


def _given(argv: List[str], *options: str) -> bool:
    return any(arg in options or arg.startswith(tuple(o + "=" for o in options)) for arg in argv)


def rasa_argv(argv: List[str], token: str) -> List[str]:
    if _given(argv, "--auth-token"):
        raise SystemExit(
            "bot.rasa: pass the API token in COMPTOIR_RASA_TOKEN (or var/rasa_token),"
            " not on the command line, where `ps` shows it"
        )
    if argv[:1] == ["run"]:
        port = [] if _given(argv, "-p", "--port") else ["--port", str(ports.port("rasa"))]
        return ["rasa", *argv, *port, "--auth-token", token]
    return ["rasa", *argv]


def endpoint_defaults(environ: MutableMapping[str, str]) -> None:
    """What endpoints.yml reads from the environment, when the environment does not say."""
    environ.setdefault("COMPTOIR_ACTION_URL", f"{ports.local_url('actions', environ)}/webhook")
    environ.setdefault("COMPTOIR_TRACKER_DB", str(ROOT / "var" / "tracker.db"))


def _use_comptoir_logging() -> None:
    """Rasa's CLI installs colored logging after it parsed its arguments: ours instead."""
    import rasa.utils.io

    rasa.utils.io.configure_colored_logging = logs.configure  # type: ignore[assignment]


def main(argv: List[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    token = read_secret("rasa_token")
    os.environ["COMPTOIR_ACTION_TOKEN"] = read_secret("action_token")
    endpoint_defaults(os.environ)
    private_umask(os.environ["COMPTOIR_TRACKER_DB"])  # conversations, Rasa's cache: 0600
    _use_comptoir_logging()

    from bot.rasa import intent_guard, turn_composer
    from bot.rasa.speedups import install as install_speedups

    intent_guard.install()
    turn_composer.install()
    install_speedups()
    sys.argv = rasa_argv(argv, token)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
