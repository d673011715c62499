"""Fixtures shared by several test layers."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.stack import Stack

# Every stack the tests start (and any settings they build) searches the catalogue by spelling:
# a fresh clone has no product vectors yet, and embedding 3,000 products would take one of
# CI's two cores for minutes. Search by meaning is measured by `make eval` and
# tests/catalogue/test_search_e5.py.
os.environ.setdefault("COMPTOIR_CATALOGUE_ENCODER", "none")

# tests/in_rasa runs under the Rasa server's Python (make test-rasa); this environment has no Rasa.
collect_ignore = [] if importlib.util.find_spec("rasa") else ["in_rasa"]


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server of its own (tmp dir, 127.0.0.1, free port), stopped after."""
    from bot.tools.bench.postgres import NoPostgres, local_postgres

    try:
        with local_postgres() as url:
            yield url
    except NoPostgres as missing:  # raised before the server starts, never after the yield
        pytest.skip(str(missing))


@pytest.fixture(autouse=True)
def _umask_restored() -> Iterator[None]:
    """Entry points run in-process (`main([...])`) set umask 077 (bot/core/private_files.py):
    it stays theirs, not the tests' that follow."""
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.fixture(scope="module")
def chromium_module() -> Iterator[Any]:
    """One Chromium per test module. Playwright's sync API refuses a second one in the same
    thread while the first is alive, and while one is alive it holds a running event loop in
    this thread (asyncio.run() fails): so it must not outlive the module that uses it."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def browser(chromium_module: Any) -> Iterator[Any]:
    """The module's Chromium, with the contexts a test opened closed after it."""
    yield chromium_module
    for context in list(chromium_module.contexts):
        context.close()


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
