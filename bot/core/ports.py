"""Where each Comptoir process listens unless told otherwise, in one table.

Set COMPTOIR_<NAME>_PORT to move a process: every address that points at it (the shop API the
actions call, Rasa's URL for the back office, the action server's URL in endpoints.yml…)
follows, unless that address is set explicitly. Read by the 3.11 processes' settings
(bot/settings.py) and by the Rasa launcher (bot/rasa/__main__.py), which has no settings object
of its own. Standard library only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_PORTS = {"shop": 8100, "actions": 5055, "rasa": 5005, "backoffice": 8000, "web": 8200}


def port(name: str, environ: Mapping[str, str] = os.environ) -> int:
    """The port of process `name`: COMPTOIR_<NAME>_PORT, else the default."""
    value = (environ.get(f"COMPTOIR_{name.upper()}_PORT") or "").strip()
    if not value:
        return DEFAULT_PORTS[name]
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValueError(f"COMPTOIR_{name.upper()}_PORT must be a port number, not {value!r}")
    return int(value)


def local_url(name: str, environ: Mapping[str, str] = os.environ) -> str:
    """The address of process `name` on this machine."""
    return f"http://127.0.0.1:{port(name, environ)}"
