"""Fixtures shared by several test layers."""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.tools.processes import free_port

if TYPE_CHECKING:
    from tests.stack import Stack

# tests/in_rasa runs under the Rasa server's Python (make test-rasa); this environment has no Rasa.
collect_ignore = [] if importlib.util.find_spec("rasa") else ["in_rasa"]

BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
PG_BIN = next((Path(d) for d in reversed(BIN_DIRS) if (Path(d) / "initdb").exists()), None)


def as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server tools as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server of its own (tmp dir, 127.0.0.1, free port), stopped after."""
    if PG_BIN is None:
        pytest.skip("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL")
    base = Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    port = free_port()
    try:
        subprocess.run(
            as_postgres(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "comptoir",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(
            as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(base / "log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-k {base} -h 127.0.0.1 -p {port} -c fsync=off",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
        yield f"postgresql+psycopg://comptoir@127.0.0.1:{port}/postgres"
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(autouse=True)
def _umask_restored() -> Iterator[None]:
    """Entry points run in-process (`main([...])`) set umask 077 (bot/core/private_files.py):
    it stays theirs, not the tests' that follow."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole product (shop API, back office, action server, Rasa) started once for the
    end-to-end, security and conversation suites."""
    tmp = tmp_path_factory.mktemp("stack")
    from tests.stack import Stack, running, stack_env  # 3.11 only: the Rasa side runs without

    with running(Stack(env=stack_env(tmp), logs=tmp)) as started:
        yield started


@pytest.fixture(scope="session")
def demo_orders(stack: Stack) -> list[dict[str, str]]:
    from tests.stack import read_demo_orders

    return read_demo_orders(stack.env)


# The tests that start servers, processes or browsers, or load the sentence encoders: the rest
# is `make test-unit` (seconds). A directory stands for every module in it, minus EXCEPT.
INTEGRATION = (
    "tests/e2e/",
    "tests/rasa/",
    "tests/conversations/",
    "tests/bench/",
    "tests/eval/test_cli.py",
    "tests/web/",
    "tests/kb/",
    "tests/shop/",
    "tests/backoffice/",
    "tests/channels/",
    "tests/privacy/",
    "tests/platforms/",
)
UNIT_EXCEPT = (
    "tests/kb/test_normalise.py",
    "tests/shop/test_rules.py",
    "tests/backoffice/test_suggest.py",
    "tests/backoffice/test_passwords.py",
    "tests/web/test_app.py",
    "tests/web/test_privacy_app.py",
    "tests/privacy/test_units.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        if where.startswith(INTEGRATION) and not where.startswith(UNIT_EXCEPT):
            item.add_marker(pytest.mark.integration)
