"""Issue 19, "a photo with a claim", in a real Chromium against the real stack: a shopper proves
an order, reports a damaged item, attaches a photo from the widget (the back office checks it
and hands it to the bot), the claim reaches the demo shop with a link to the photo that the shop
can open; the shopper then asks for a person, sends a second photo during the hand-off, and the
agent sees both on the case page. Screenshots: reports/screenshots/widget-photo.png (the
widget) and case-photo.png (the case page).

Run under the heavy-test lock: flock /tmp/comptoir-heavy.lock .venv/bin/pytest <this file>
"""

from __future__ import annotations

import sqlite3
import struct
import zlib
from typing import Any

import pytest
import requests

from tests.browser import CSP_REPORT, SHOTS, needs_chromium
from tests.stack import create_user, handoff_of
from tests.web.conftest import WidgetStack

pytestmark = [pytest.mark.e2e, needs_chromium]
WAIT_MS = 30_000
PASSWORD = "motdepasse-e2e-1"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour, made here (no image library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def recently_delivered(orders: list[dict[str, str]]) -> dict[str, str]:
    return next(order for order in orders if order["status"] == "delivered")


def shop_photos(stack: WidgetStack, number: str) -> list[str]:
    path = stack.env["COMPTOIR_SHOP_DB_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT p.url FROM claim_photos p JOIN claims c ON c.id = p.claim_id "
            "JOIN orders o ON o.id = c.order_id WHERE o.number = ?",
            (number,),
        ).fetchall()
    return [url for (url,) in rows]


def test_a_shopper_attaches_a_photo_to_a_damaged_item_claim_and_the_agent_sees_it(
    web_stack: WidgetStack, web_demo_orders: list[dict[str, str]], browser: Any
) -> None:
    from playwright.sync_api import expect

    stack = web_stack
    order = recently_delivered(web_demo_orders)
    first_photo, second_photo = png(64, 48, (200, 40, 40)), png(32, 32, (40, 40, 200))
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    context.add_init_script(CSP_REPORT)
    page = context.new_page()
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(str(error)))
    agent_context = None
    try:
        page.goto(stack.web_url)
        page.get_by_role("button", name="Ouvrir le chat avec l'assistant").click()
        box = page.get_by_label("Votre message")
        log = page.get_by_role("log")
        bot = log.locator(".comptoir-bot")
        attach = page.get_by_role(
            "button", name="Joindre une photo (JPEG, PNG ou WebP, 5 Mo au plus)"
        )
        expect(attach).to_be_hidden()  # not offered before the bot asks for a photo

        box.fill(
            f"Bonjour, commande {order['number']}, mail {order['email']} : "
            "la théière est arrivée cassée"
        )
        box.press("Enter")
        expect(bot.last).to_contain_text("Une photo de l'article abîmé", timeout=WAIT_MS)
        expect(bot.last).to_contain_text("facultatif")
        choice = page.get_by_role("button", name="Joindre une photo", exact=True)
        expect(choice).to_be_visible()
        expect(page.get_by_role("button", name="Continuer sans photo")).to_be_visible()
        expect(attach).to_be_visible()

        # A file that is not a photo: the server's French reason shows, nothing is sent.
        page.locator("#comptoir-photo").set_input_files(
            {"name": "facture.png", "mimeType": "image/png", "buffer": b"%PDF-1.7 pas une image"}
        )
        notice = page.locator(".comptoir-notice")
        expect(notice).to_contain_text("n'est pas une photo", timeout=WAIT_MS)

        # The real button opens the file picker; the photo goes, the bot goes on with the claim.
        with page.expect_file_chooser() as chooser:
            choice.click()
        chooser.value.set_files(
            {"name": "theiere.png", "mimeType": "image/png", "buffer": first_photo}
        )
        expect(log.locator(".comptoir-user").last).to_contain_text(
            "Photo envoyée (theiere.png)", timeout=WAIT_MS
        )
        expect(notice).to_be_hidden()
        expect(bot.last).to_contain_text(order["number"], timeout=WAIT_MS)  # the summary
        expect(page.get_by_role("button", name="Oui", exact=True)).to_be_visible()
        page.screenshot(path=str(SHOTS / "widget-photo.png"))  # the photo sent, the summary
        page.get_by_role("button", name="Oui", exact=True).click()
        expect(bot.last).to_contain_text(
            "Votre photo a été transmise à la boutique", timeout=WAIT_MS
        )
        expect(bot.last).to_contain_text("RCL-")
        expect(attach).to_be_hidden()

        # The demo shop keeps a link to the photo, and the link gives the photo, without a login.
        [link] = shop_photos(stack, order["number"])
        assert link.startswith(f"{stack.backoffice_url}/photos/")
        fetched = requests.get(link, timeout=10)
        assert fetched.status_code == 200 and fetched.content == first_photo
        assert fetched.headers["content-type"] == "image/png"
        assert requests.get(link.split("?")[0], timeout=10).status_code == 401

        # A person: the photo button stays offered during the hand-off.
        box.fill("je voudrais parler à un conseiller, s'il vous plaît")
        box.press("Enter")
        expect(page.locator(".comptoir-status")).to_be_visible(timeout=WAIT_MS)
        expect(attach).to_be_visible()
        conversation = page.evaluate("() => JSON.parse(localStorage.getItem('comptoir')).sessionId")
        case = handoff_of(stack, conversation)

        create_user(stack, "agent.photo@boutique-demo.fr", "agent", PASSWORD)
        agent_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        agent_context.add_init_script(CSP_REPORT)
        agent = agent_context.new_page()
        agent.goto(f"{stack.backoffice_url}/login")
        agent.get_by_label("E-mail").fill("agent.photo@boutique-demo.fr")
        agent.get_by_label("Mot de passe").fill(PASSWORD)
        agent.get_by_role("button", name="Se connecter").click()
        agent.goto(f"{stack.backoffice_url}/inbox/{case['id']}")
        photos = agent.locator("#photos img")
        expect(photos).to_have_count(1, timeout=WAIT_MS)
        agent.wait_for_function(
            "() => [...document.querySelectorAll('#photos img')].every(i => i.naturalWidth > 0)",
            timeout=WAIT_MS,
        )
        assert agent.evaluate("document.querySelector('#photos img').naturalWidth") == 64

        # A second photo during the hand-off: the agent's page shows it live, with a note.
        with page.expect_file_chooser() as chooser:
            attach.click()
        chooser.value.set_files(
            {"name": "carton.png", "mimeType": "image/png", "buffer": second_photo}
        )
        expect(log.locator(".comptoir-user").last).to_contain_text(
            "Photo envoyée (carton.png)", timeout=WAIT_MS
        )
        expect(photos).to_have_count(2, timeout=WAIT_MS)
        expect(agent.locator("#messages")).to_contain_text(
            "Photo jointe par le client", timeout=WAIT_MS
        )
        agent.wait_for_function(
            "() => [...document.querySelectorAll('#photos img')].every(i => i.naturalWidth > 0)",
            timeout=WAIT_MS,
        )
        agent.locator("#photos").scroll_into_view_if_needed()
        agent.screenshot(path=str(SHOTS / "case-photo.png"))

        assert agent.evaluate("sessionStorage.getItem('csp')") in (None, "[]")
        assert page.evaluate("sessionStorage.getItem('csp')") in (None, "[]")
        assert failures == []
    finally:
        if agent_context is not None:
            agent_context.close()
        context.close()
