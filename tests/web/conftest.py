"""The e2e stack of tests/e2e/conftest.py (shop API, action server, Rasa, started with the
Procfile's own commands through its `stack_env` / `running` helpers) plus the widget's demo
page (`python -m bot.web serve`), and a real Chromium driven by Playwright."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from bot.settings import ROOT
from bot.tools.processes import free_port
from tests.stack import Stack, read_demo_orders, running, stack_env


class WidgetStack(Stack):
    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.env['COMPTOIR_WEB_PORT']}"


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WidgetStack]:
    tmp = tmp_path_factory.mktemp("web_stack")
    env = stack_env(
        tmp,
        COMPTOIR_WEB_PORT=str(free_port()),
        COMPTOIR_RASA_CREDENTIALS=str(tmp / "credentials.yml"),
        # the register of erased conversations the widget's channel reads (bot/core/forgotten.py)
        COMPTOIR_FORGOTTEN_DB=str(tmp / "forgotten.db"),
    )
    env["COMPTOIR_WIDGET_SOCKET_URL"] = f"http://127.0.0.1:{env['COMPTOIR_RASA_PORT']}"
    stack = WidgetStack(env=env, logs=tmp)
    with running(stack) as started:  # stops the web app too, with the others
        log = open(tmp / "web.log", "ab")
        started.processes["web"] = subprocess.Popen(
            [sys.executable, "-m", "bot.web", "serve", "--port", env["COMPTOIR_WEB_PORT"]],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.wait_until_ready("web", f"{started.web_url}/health")
        yield started


@pytest.fixture(scope="session")
def web_demo_orders(web_stack: WidgetStack) -> list[dict[str, str]]:
    return read_demo_orders(web_stack.env)


def open_widget(browser: Any, url: str) -> tuple[Any, Any]:
    """A new desktop-sized browser context on the demo page with the chat panel open: (context,
    page). The caller closes the context."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Ouvrir le chat avec l'assistant").click()
    return context, page
