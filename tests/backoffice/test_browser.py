"""The back office in a real Chromium under its Content-Security-Policy: no violation on any
page, and what needs JavaScript still works (live inbox, the FAQ test box through htmx, the
delete confirmation). Needs Debian's chromium (skipped without it), not Rasa."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.backoffice.db import User
from tests.browser import CSP_REPORT, SHOTS, WAIT_MS, needs_chromium

from .conftest import HASH, PASSWORD, SERVICE_TOKEN

pytestmark = needs_chromium


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(locale="fr-FR")
    context.add_init_script(CSP_REPORT)
    return context.new_page()


def test_every_page_works_under_the_security_policy(server: tuple[str, Any], page: Any) -> None:
    from playwright.sync_api import expect

    url, app = server
    with app.state.sessions() as db:
        db.add(
            User(
                email="admin@boutique.fr",
                display_name="Ada Admin",
                role="admin",
                password_hash=HASH,
                active=True,
            )
        )
        db.commit()
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda error: refused.append(str(error)))

    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill("admin@boutique.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{url}/inbox")

    # Live inbox: Server-Sent Events, then htmx fetches the queue (no reload).
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    created = httpx.post(
        f"{url}/api/handoffs",
        headers=service,
        json={
            "conversation_id": "csp-1",
            "reason": "asked",
            "summary": {"request": "Mon colis est en retard"},
        },
    )
    assert created.status_code == 201
    expect(page.get_by_role("link", name="Mon colis est en retard")).to_be_visible(timeout=WAIT_MS)

    # The FAQ test box answers in place (htmx), the delete button asks first.
    page.goto(f"{url}/faq")
    page.get_by_label("Ce qu'un client pourrait écrire").fill("Combien coûte la livraison ?")
    page.get_by_role("button", name="Tester").click()
    expect(page.locator("#test-result")).to_contain_text("le bot répond", timeout=WAIT_MS)
    assert page.url == f"{url}/faq"
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    rows = page.locator("table.entries tbody tr").count()
    page.get_by_role("button", name="Supprimer").first.click()
    assert asked == ["Supprimer cette entrée ?"]
    assert page.url == f"{url}/faq" and page.locator("table.entries tbody tr").count() == rows

    for path in (
        f"/inbox/{created.json()['id']}",
        "/faq/new",
        "/faq/gift.wrapping/edit",
        "/faq/history",
        "/users",
        "/account",
    ):
        page.goto(f"{url}{path}")
        expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('csp')") is None and refused == [], refused


def test_nothing_is_wider_than_a_phone(server: tuple[str, Any], page: Any) -> None:
    """At 412 px (a common phone), no page of the back office scrolls sideways: tables become
    one card per row, long e-mails and requests wrap. Screenshots land in reports/screenshots."""
    from playwright.sync_api import expect

    url, app = server
    with app.state.sessions() as db:
        db.add(
            User(
                email="adelaide.de-la-tour-d-auvergne.administratrice@boutique-de-demonstration.fr",
                display_name="Adélaïde de La Tour d'Auvergne",
                role="admin",
                password_hash=HASH,
                active=True,
            )
        )
        db.commit()
    service = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    case = httpx.post(
        f"{url}/api/handoffs",
        headers=service,
        json={
            "conversation_id": "web-telephone-tres-long-identifiant-de-conversation-0123456789",
            "channel": "socketio",
            "reason": "upset",
            "summary": {"request": "Mon colis CM483391 est en retard depuis dix jours " * 3},
        },
    )
    assert case.status_code == 201
    page.set_viewport_size({"width": 412, "height": 900})
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(
        "adelaide.de-la-tour-d-auvergne.administratrice@boutique-de-demonstration.fr"
    )
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{url}/inbox")
    SHOTS.mkdir(parents=True, exist_ok=True)
    widths = {}
    for path in ("/inbox", f"/inbox/{case.json()['id']}", "/users", "/faq", "/faq/history"):
        page.goto(f"{url}{path}")
        expect(page.locator("h1")).to_be_visible()
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        name = path.strip("/").replace("/", "-") or "inbox"
        page.screenshot(path=str(SHOTS / f"backoffice-{name}-412.png"), full_page=True)
    assert all(width <= 412 for width in widths.values()), widths
