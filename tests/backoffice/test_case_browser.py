"""The case page in a real Chromium (issue 19, "Inbox"): an agent inserts a canned reply at the
cursor with the shopper's first name and order number, sends it, writes a private note that
never reaches Rasa, and gives the case to a colleague, who then sees it as hers. The reply box
stays in view while the transcript scrolls, at 1366 px and at 412 px; screenshots go to
reports/screenshots/case-desktop.png and case-phone.png. Needs Debian's chromium, not Rasa."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from bot.backoffice import case_tools
from bot.backoffice.app import create_app
from bot.backoffice.db import User
from bot.backoffice.routes import case_tools as case_routes
from bot.settings import Settings
from bot.tools.processes import free_port
from tests.browser import CSP_REPORT, SHOTS, WAIT_MS, needs_chromium

from .conftest import HASH, PASSWORD, SERVICE_TOKEN, Clock, RasaStandIn
from .test_case_tools import StubKnowledgeBase

pytestmark = needs_chromium
CANNED = "Bonjour {prenom}, votre commande {commande} est bien partie."
NOTE = "Cliente prévenue du retard, la rappeler jeudi."


def _tracker(conversation: str) -> dict[str, Any]:
    """A long conversation (the page scrolls) whose order was verified: Léa, CM483391."""
    events: list[dict[str, Any]] = []
    for n in range(18):
        events.append({"event": "user", "text": f"Message {n} du client", "timestamp": 10.0 + n})
        events.append(
            {"event": "bot", "text": f"Réponse {n} de l'assistant", "timestamp": 10.5 + n}
        )
    return {
        "sender_id": conversation,
        "slots": {
            "verified_order": "CM483391",
            "order_facts": {"number": "CM483391", "status": "shipped", "first_name": "Léa"},
        },
        "events": events,
    }


@pytest.fixture
def case_server(
    settings: Settings, clock: Clock, rasa: RasaStandIn
) -> Iterator[tuple[str, Any, RasaStandIn]]:
    """The back office on a real uvicorn with the case tools, two agents and a canned reply."""
    app = create_app(settings, kb=StubKnowledgeBase(), clock=clock)
    if not any(getattr(r, "path", "") == "/inbox/{handoff_id}/notes" for r in app.routes):
        app.include_router(case_routes.router)
    app.state.sse_keepalive = 0.2
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    with app.state.sessions() as db:
        for email, name in (("alice@boutique.fr", "Alice"), ("julie@boutique.fr", "Julie Martin")):
            db.add(User(email=email, display_name=name, role="agent", password_hash=HASH))
        db.commit()
        alice = db.scalars(select(User).where(User.email == "alice@boutique.fr")).one()
        case_tools.create_canned(db, alice, "Colis en retard", CANNED, clock())
    yield f"http://127.0.0.1:{port}", app, rasa
    uv.should_exit = True
    thread.join(10)


def _log_in(browser: Any, url: str, email: str, width: int, refused: list[str]) -> Any:
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    context.add_init_script(CSP_REPORT)
    page = context.new_page()
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{url}/inbox")
    return page


def _reply_box_in_view(page: Any) -> bool:
    """The reply box is entirely inside the window (not scrolled away with the transcript)."""
    return bool(
        page.evaluate(
            """() => { const r = document.querySelector('.case-reply').getBoundingClientRect();
                       return r.top >= 0 && r.bottom <= window.innerHeight + 1 && r.height > 0; }"""
        )
    )


def _scroll(page: Any, into_transcript: int | None) -> None:
    """To the top of the page (None), or so many pixels into the transcript."""
    page.evaluate(
        """(by) => window.scrollTo(0, by === null ? 0 : by + window.scrollY +
             document.querySelector('.transcript').getBoundingClientRect().top)""",
        into_transcript,
    )


def test_an_agent_uses_a_canned_reply_and_a_private_note_then_reassigns(
    case_server: tuple[str, Any, RasaStandIn], browser: Any
) -> None:
    from playwright.sync_api import expect

    url, app, rasa = case_server
    rasa.trackers["conv-cas"] = _tracker("conv-cas")
    created = httpx.post(
        f"{url}/api/handoffs",
        headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        json={
            "conversation_id": "conv-cas",
            "channel": "socketio",
            "reason": "asked",
            "summary": {"request": "Mon colis est en retard", "order_number": "CM483391"},
        },
    )
    assert created.status_code == 201
    case_url = f"{url}/inbox/{created.json()['id']}"
    refused: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = _log_in(browser, url, "alice@boutique.fr", 1366, refused)
    page.goto(case_url)
    expect(page.locator("#notes-list")).to_contain_text("Aucune note", timeout=WAIT_MS)
    # The conversation is longer than the window, and the reply box stays in view.
    assert page.evaluate("document.documentElement.scrollHeight") > 1800
    for where in (None, 0, 500):
        _scroll(page, where)
        assert _reply_box_in_view(page), where

    # A canned reply goes where the cursor is, filled, without replacing the draft.
    reply = page.get_by_label("Votre message au client")
    reply.fill("Merci pour votre patience.")
    reply.press("Control+Home")
    page.locator("main").get_by_text("Réponses types", exact=True).click()
    page.get_by_role("button", name="Insérer « Colis en retard »").click()
    filled = "Bonjour Léa, votre commande CM483391 est bien partie."
    assert reply.input_value() == f"{filled}\nMerci pour votre patience."
    expect(page.locator("details.case-canned")).not_to_have_attribute("open", "")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#messages")).to_contain_text(filled, timeout=WAIT_MS)
    [sent] = rasa.triggers()
    assert sent.params["entities"]["agent_text"] == f"{filled}\nMerci pour votre patience."

    # A private note: shown with its author, never sent anywhere.
    note = page.get_by_label("Nouvelle note")
    note.fill(NOTE)
    page.get_by_role("button", name="Ajouter la note").click()
    notes = page.locator("#notes-list")
    expect(notes).to_contain_text(NOTE, timeout=WAIT_MS)
    expect(notes.locator(".case-note-meta")).to_contain_text("Alice")
    expect(note).to_have_value("")
    assert len(rasa.triggers()) == 1
    assert not any(
        "rappeler jeudi" in json.dumps([c.params, c.query], ensure_ascii=False) for c in rasa.calls
    )
    _scroll(page, None)
    page.screenshot(path=str(SHOTS / "case-desktop.png"))

    # Reassign: asked first, naming the colleague.
    asked: list[str] = []

    def confirm(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", confirm)
    page.get_by_label("Confier le cas à").select_option(label="Julie Martin — conseiller")
    page.get_by_role("button", name="Réattribuer").click()
    expect(page.locator("#assignment")).to_contain_text(
        "le cas est maintenant suivi par Julie Martin", timeout=WAIT_MS
    )
    assert asked and "Julie Martin" in asked[0], asked
    expect(page.locator("#messages")).to_contain_text(
        "Réattribué de Alice à Julie Martin par Alice", timeout=WAIT_MS
    )
    page.context.close()

    # Julie, on her phone: the case is hers; the page fits and the reply box stays in view.
    phone = _log_in(browser, url, "julie@boutique.fr", 412, refused)
    phone.goto(case_url)
    expect(phone.locator("#messages")).to_contain_text("Julie Martin (vous)", timeout=WAIT_MS)
    expect(phone.locator("#assignment")).to_contain_text(
        "Suivi par Julie Martin (vous)", timeout=WAIT_MS
    )
    expect(phone.locator("#notes-list")).to_contain_text(NOTE, timeout=WAIT_MS)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 412
    for where in (0, 500, 900):
        _scroll(phone, where)
        assert _reply_box_in_view(phone), where
    _scroll(phone, 300)
    phone.screenshot(path=str(SHOTS / "case-phone.png"))
    # The team's canned replies fit a phone too.
    phone.goto(f"{url}/canned")
    expect(phone.get_by_role("heading", name="Colis en retard")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 412
    assert phone.evaluate("sessionStorage.getItem('csp')") is None
    phone.context.close()
    assert refused == [], refused
