"""The local servers the tests, the evaluation and the benchmark start: a free port for each,
the Procfile's own commands, and stopping a server started in its own process group
(`start_new_session=True`)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def procfile() -> dict[str, str]:
    """The Procfile's commands by process name (what `make run` starts)."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:  # type: ignore[type-arg]
    """SIGTERM the whole group, SIGKILL what is left after `timeout`; return once every process
    of it is gone: a shell exits at once, the server behind it may still answer while it shuts
    down."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:  # already gone, e.g. it crashed at start-up
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process.poll()  # reap the group leader, or it stays a zombie member of the group
            try:
                os.killpg(process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
