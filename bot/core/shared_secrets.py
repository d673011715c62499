"""The secrets Comptoir's processes share on one machine, made once and kept in var/.

Each secret comes from its environment variable when set (a deployment's secret store), else
from var/<name>, created on first use with mode 600. Creation is atomic (written aside, then
linked into place), so processes starting together agree on one value; an existing file
readable by others is made 0600 when it is read.

    python -m bot.core.shared_secrets rasa_token action_token …   # what `make run` does first
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from bot.core.private_files import private_umask, tighten

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
# name -> environment variable
SECRETS = {
    "rasa_token": "COMPTOIR_RASA_TOKEN",  # Rasa's HTTP API
    "action_token": "COMPTOIR_ACTION_TOKEN",  # Rasa -> action server
    "service_token": "COMPTOIR_SERVICE_TOKEN",  # action server -> back office
    "session_secret": "COMPTOIR_SESSION_SECRET",  # back-office session cookies
    "conversation_secret": "COMPTOIR_CONVERSATION_SECRET",  # signs widget conversation ids
    "shop_api_key": "COMPTOIR_SHOP_API_KEY",  # action server -> demo shop
    "shop_label_secret": "COMPTOIR_SHOP_LABEL_SECRET",  # signs return-label links
}


def secret_file(name: str, folder: Path = VAR) -> str:
    """var/<name>'s value, creating it first if it does not exist."""
    path = folder / name
    if path.exists():
        tighten(path)  # made 0644 by hand or by an older version: 0600 now
    else:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.{secrets.token_hex(8)}.tmp"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32) + "\n")
            try:
                os.link(partial, path)
            except FileExistsError:  # another process made it first: use theirs
                pass
        finally:
            partial.unlink(missing_ok=True)
    return path.read_text().strip()


def read_secret(name: str) -> str:
    value = os.environ.get(SECRETS[name], "").strip()
    return value or secret_file(name)


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in SECRETS]
    if unknown:
        print(
            f"unknown secret(s): {', '.join(unknown)}; known: {', '.join(SECRETS)}", file=sys.stderr
        )
        return 2
    private_umask()
    for name in names or list(SECRETS):
        if not os.environ.get(SECRETS[name], "").strip() and not (VAR / name).exists():
            secret_file(name)
            print(f"==> Generated var/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
