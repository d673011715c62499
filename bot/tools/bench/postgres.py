"""A throw-away PostgreSQL server (the distribution's binaries, a tmp data folder, 127.0.0.1 on
a free port, fsync off): for the benchmarks and the tests (`postgres_url` in tests/conftest.py)
that need a real engine."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.tools.processes import free_port

BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
PG_BIN = next((Path(d) for d in reversed(BIN_DIRS) if (Path(d) / "initdb").exists()), None)


class NoPostgres(RuntimeError):
    """The server binaries are missing, or cannot run here."""


def _as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server tools as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def local_postgres() -> Iterator[str]:
    """A running server; yields the SQLAlchemy URL of its `postgres` database."""
    if PG_BIN is None:
        raise NoPostgres("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        raise NoPostgres("running as root without runuser: cannot start PostgreSQL")
    base = Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    port = free_port()
    try:
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "comptoir", "--auth=trust"]
        subprocess.run(
            _as_postgres([*initdb, "-E", "UTF8", "--no-sync"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-k {base} -h 127.0.0.1 -p {port} -c fsync=off"
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w"]
                + ["-t", "60", "-o", options, "start"]
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
        yield f"postgresql+psycopg://comptoir@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)
