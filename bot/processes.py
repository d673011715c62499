"""Stopping a server started in its own process group (`start_new_session=True`), shared by the
end-to-end tests, the evaluation and the benchmark."""
from __future__ import annotations

import os
import signal
import subprocess
import time


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
