"""Start the Rasa server as Comptoir needs it:

    python -m bot.rasa run --enable-api -i 127.0.0.1 --port 5005 --model … --endpoints …

Any `rasa` command line works; before handing it to Rasa, this:
- gives Rasa its API token in-process (COMPTOIR_RASA_TOKEN, else var/rasa_token), so the token
  is never on a command line that `ps` shows; a `--auth-token` given here is refused;
- puts the action server's token (COMPTOIR_ACTION_TOKEN, else var/action_token) in the
  environment, where endpoints.yml's `${COMPTOIR_ACTION_TOKEN}` finds it;
- installs the intent guard (bot/rasa/intent_guard.py), the turn composer
  (bot/rasa/turn_composer.py) and the speed-ups that COMPTOIR_RASA_SPEEDUPS names
  (bot/rasa/speedups).
"""

from __future__ import annotations

import logging
import os
import sys
from typing import List

from bot.core.shared_secrets import read_secret

log = logging.getLogger(__name__)


def rasa_argv(argv: List[str], token: str) -> List[str]:
    if any(arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        raise SystemExit(
            "bot.rasa: pass the API token in COMPTOIR_RASA_TOKEN (or var/rasa_token),"
            " not on the command line, where `ps` shows it"
        )
    if argv[:1] == ["run"]:
        return ["rasa", *argv, "--auth-token", token]
    return ["rasa", *argv]


def main(argv: List[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    token = read_secret("rasa_token")
    os.environ["COMPTOIR_ACTION_TOKEN"] = read_secret("action_token")

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
