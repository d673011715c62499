"""The dashboard in a real Chromium: the shop owner (a `manager`) logs in, lands on it, reads
the seeded history's figures and charts at 1366 px and on a 412 px phone (nothing wider than
the screen), under the Content-Security-Policy. Screenshots: reports/screenshots/
dashboard-desktop.png and dashboard-phone.png. Needs Debian's chromium, not Rasa."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from bot.backoffice.app import create_app
from bot.backoffice.db import User
from bot.settings import Settings
from bot.tools.processes import free_port
from tests.browser import CSP_REPORT, SHOTS, WAIT_MS, needs_chromium

from .conftest import HASH, PASSWORD, Clock
from .test_case_tools import StubKnowledgeBase
from .test_dashboard import RANGE, clock, history, seed_cases, settings, write_events

pytestmark = needs_chromium
__all__ = ["clock", "settings"]  # the seeded history's fixtures (its clock, its tracker store)


@pytest.fixture
def dashboard_server(settings: Settings, clock: Clock) -> Iterator[str]:
    app = create_app(settings, kb=StubKnowledgeBase(), clock=clock)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    write_events(settings.tracker_url, history())
    seed_cases(app.state.sessions)
    with app.state.sessions() as db:
        db.add(
            User(
                email="gerante@boutique.fr",
                display_name="Olivia Gérante",
                role="manager",
                password_hash=HASH,
                active=True,
            )
        )
        db.commit()
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(10)


def _open(browser: Any, url: str, width: int, refused: list[str]) -> Any:
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    context.add_init_script(CSP_REPORT)
    page = context.new_page()
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill("gerante@boutique.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{url}/dashboard")  # a manager's home
    page.goto(f"{url}/dashboard?{RANGE}")
    expect(page.locator('[data-figure="conversations"]')).to_have_text("11", timeout=WAIT_MS)
    return page


def test_the_dashboard_in_chromium(dashboard_server: str, browser: Any) -> None:
    url = dashboard_server
    refused: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = _open(browser, url, 1366, refused)
    assert page.locator('[data-figure="csat"]').inner_text().replace("\u00a0", " ") == "67 %"
    assert page.locator("svg.chart").count() == 3
    box = page.locator("svg.chart").first.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 150
    assert page.get_by_role("img", name="Conversations par jour").count() == 1
    page.select_option("#d-par", "semaine")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**par=semaine**")
    assert page.get_by_role("img", name="Conversations par semaine").count() == 1
    page.screenshot(path=str(SHOTS / "dashboard-desktop.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en CSV").click()
    assert download.value.suggested_filename.startswith("conversations-2026-11-01")
    assert page.evaluate("sessionStorage.getItem('csp')") is None
    page.context.close()

    phone = _open(browser, url, 412, refused)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 412
    phone.locator("#aide").scroll_into_view_if_needed()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 412
    phone.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
    assert phone.evaluate("sessionStorage.getItem('csp')") is None
    phone.context.close()
    assert refused == [], refused
