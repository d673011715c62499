"""The inbox in a real Chromium (issue 19): an agent filters, searches, goes back, reopens a
resolved case after confirming, and is told of a new case and of a shopper writing to them
(tab title, sound, desktop notification). Screenshots at 1366 px and 412 px land in
reports/screenshots/. Needs Debian's chromium (skipped without it), not Rasa."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.backoffice.db import Handoff, User
from bot.core.handoff import CaseStatus
from tests.browser import CSP_REPORT, SHOTS, WAIT_MS, needs_chromium

from .conftest import PASSWORD, RASA_TOKEN, SERVICE_TOKEN, RasaStandIn
from .test_inbox_list import EventsRasa, slot_calls

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
# Desktop notifications and tones, recorded by the page (the real API stays underneath).
RECORD = """(() => {
  window.__notes = []; window.__asked = 0; window.__tones = 0;
  const Real = window.Notification;
  if (Real) {
    function Recording(title, options) {
      window.__notes.push({ title: title, body: (options || {}).body || "" });
      this.close = function () {};
    }
    Object.defineProperty(Recording, "permission", { get: () => Real.permission });
    Recording.requestPermission = function (callback) {
      window.__asked += 1;
      return Real.requestPermission(callback);
    };
    window.Notification = Recording;
  }
  const Audio = window.AudioContext;
  if (Audio) {
    const create = Audio.prototype.createOscillator;
    Audio.prototype.createOscillator = function () {
      window.__tones += 1;
      return create.call(this);
    };
  }
})();"""

pytestmark = needs_chromium


@pytest.fixture
def rasa() -> Iterator[RasaStandIn]:
    stand_in = EventsRasa(RASA_TOKEN)
    stand_in.start()
    yield stand_in
    stand_in.stop()


def new_page(browser: Any, url: str, **context: Any) -> Any:
    ctx = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900}, **context)
    ctx.add_init_script(CSP_REPORT)
    ctx.add_init_script(RECORD)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.errors = errors
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill("agent@boutique.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{url}/inbox")
    return page


def handoff(url: str, conversation: str, request: str, **extra: Any) -> int:
    response = httpx.post(
        f"{url}/api/handoffs",
        headers=SERVICE,
        json={
            "conversation_id": conversation,
            "reason": "asked",
            "summary": {"request": request},
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def wait_for(page: Any, expression: str, expected: Any) -> None:
    """Poll a page value from Python (the page's CSP forbids the eval of wait_for_function)."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while (value := page.evaluate(expression)) != expected:
        assert time.monotonic() < deadline, f"{expression} = {value!r}, not {expected!r}"
        page.wait_for_timeout(100)


def rows(page: Any) -> list[int]:
    return [
        int(i)
        for i in page.locator("#queue tbody tr").evaluate_all(
            "rows => rows.map(r => r.dataset.case)"
        )
    ]


def test_an_agent_filters_searches_and_reopens_a_resolved_case(
    server: tuple[str, Any], browser: Any, rasa: RasaStandIn
) -> None:
    from playwright.sync_api import expect

    url, app = server
    parcel = handoff(url, "b-parcel", "Où est mon colis ?", channel="socketio")
    upset = handoff(
        url,
        "b-upset",
        "C'est inadmissible, rendez-moi mon argent",
        channel="telegram",
        reason="upset",
        priority=1,
        mood="en colère",
    )
    teapot = handoff(
        url,
        "b-teapot",
        "Remboursement de la théière",
        summary={
            "request": "Remboursement de la théière",
            "order_number": "CM483391",
            "last_messages": [{"sender": "shopper", "text": "lea.dupre@exemple.fr"}],
        },
    )
    with app.state.sessions() as db:
        case = db.get(Handoff, teapot)
        case.summary = {**case.summary, "customer_name": "Léa Dupré"}
        case.status, case.resolved_at = CaseStatus.resolved, app.state.clock()
        db.commit()
    page = new_page(browser, url)
    assert rows(page) == [upset, parcel]
    expect(page).to_have_title("(2) Boîte de réception — back office")

    # Filter: urgent cases only; the URL says so, the back button undoes it.
    page.get_by_label("Priorité", exact=True).select_option("1")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/inbox\?priorite=1$"))
    assert rows(page) == [upset]
    page.get_by_label("Canal", exact=True).select_option("socketio")
    page.get_by_role("button", name="Filtrer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/inbox\?priorite=1&canal=socketio$"))
    expect(page.get_by_text("Aucune conversation ne correspond avec ces filtres")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(r"/inbox\?priorite=1$"))
    assert rows(page) == [upset]
    page.go_back()
    expect(page).to_have_url(f"{url}/inbox")
    assert rows(page) == [upset, parcel]

    # Search the resolved cases, accents and capitals ignored.
    page.get_by_role("navigation", name="Vues de la boîte de réception").get_by_role(
        "link", name="Résolues"
    ).click()
    expect(page).to_have_url(re.compile(r"/inbox\?statut=resolues$"))
    page.get_by_label("Rechercher", exact=True).fill("THEIERE lea")
    page.get_by_label("Rechercher", exact=True).press("Enter")
    expect(page).to_have_url(re.compile(r"/inbox\?q=THEIERE\+lea&statut=resolues$"))
    assert rows(page) == [teapot]
    row = page.locator(f'tr[data-case="{teapot}"]')
    expect(row.locator("td.customer")).to_contain_text("Léa Dupré")
    expect(row.locator("td.customer")).to_contain_text("lea.dupre@exemple.fr")
    expect(row.get_by_role("link", name="Remboursement de la théière")).to_be_visible()

    # Reopen: the agent confirms first; dismissing changes nothing.
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button", name=f"Rouvrir la conversation n° {teapot} (en attente)").click()
    assert asked == [
        f"Rouvrir la conversation n° {teapot} et la remettre en attente d'un conseiller ?"
    ]
    assert slot_calls(rasa) == []
    with app.state.sessions() as db:
        assert db.get(Handoff, teapot).status == "resolved"
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=f"Rouvrir la conversation n° {teapot} (en attente)").click()
    expect(page.get_by_role("status").filter(has_text="rouverte")).to_contain_text(
        f"Conversation n° {teapot} rouverte"
    )
    expect(page).to_have_url(re.compile(rf"statut=resolues&q=THEIERE\+lea&rouvert={teapot}$"))
    with app.state.sessions() as db:
        assert db.get(Handoff, teapot).status == "waiting"
    assert slot_calls(rasa) == [
        ("b-teapot", [{"event": "slot", "name": "handoff_active", "value": True}])
    ]
    page.get_by_role("link", name="À traiter", exact=True).click()  # the search is kept
    expect(page).to_have_url(re.compile(r"/inbox\?q=THEIERE\+lea$"))
    assert rows(page) == [teapot]
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(page).to_have_url(f"{url}/inbox")
    assert rows(page) == [upset, parcel, teapot]
    expect(page).to_have_title("(3) Boîte de réception — back office")
    assert page.evaluate("sessionStorage.getItem('csp')") is None and page.errors == []

    # Screenshots of the inbox, desktop and phone; nothing scrolls sideways on the phone.
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "inbox-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 412, "height": 900})
    page.reload()
    expect(page.locator("h1")).to_have_text("Conversations à traiter")
    assert page.evaluate("document.documentElement.scrollWidth") <= 412
    page.screenshot(path=str(SHOTS / "inbox-phone.png"), full_page=True)


def test_an_agent_is_told_of_a_new_case_and_of_a_shopper_writing_to_them(
    server: tuple[str, Any], browser: Any
) -> None:
    from playwright.sync_api import expect

    url, app = server
    page = new_page(browser, url, permissions=["notifications"])
    expect(page).to_have_title("Boîte de réception — back office")
    notify = page.locator("#notify-toggle")
    expect(notify).to_have_text("Notifications du bureau : activées")
    sound = page.get_by_role("button", name=re.compile("^Son"))
    expect(sound).to_have_text("Son : désactivé")  # off by default
    sound.click()
    expect(sound).to_have_text("Son : activé")
    assert page.evaluate("localStorage.getItem('comptoir.inbox.sound')") == "on"
    page.reload()
    expect(sound).to_have_text("Son : activé")  # remembered
    page.wait_for_timeout(300)  # the live stream is connected
    assert page.evaluate("window.__asked") == 0  # never asked on page load
    tones = page.evaluate("window.__tones")

    case_id = handoff(url, "t-new", "Mon colis est en retard")
    expect(page).to_have_title("(1) Boîte de réception — back office", timeout=WAIT_MS)
    wait_for(page, "window.__notes.length", 1)
    assert page.evaluate("window.__notes") == [
        {"title": "Nouvelle demande client", "body": "Mon colis est en retard"}
    ]
    assert page.evaluate("window.__tones") > tones

    # The case is mine: the shopper writes, the agent is told (not the waiting count).
    with app.state.sessions() as db:
        alice = db.query(User).filter_by(email="agent@boutique.fr").one()
        case = db.get(Handoff, case_id)
        case.status, case.assigned_to = CaseStatus.assigned, alice.id
        db.commit()
    written = httpx.post(
        f"{url}/api/handoffs/t-new/messages", headers=SERVICE, json={"text": "Vous êtes là ?"}
    )
    assert written.status_code == 202
    wait_for(page, "window.__notes.length", 2)
    assert page.evaluate("window.__notes[1]") == {
        "title": "Nouveau message d'un client",
        "body": f"Conversation n° {case_id} : Mon colis est en retard",
    }
    expect(page).to_have_title("Boîte de réception — back office")

    # Turned off, the notifications stay quiet (the title still counts).
    notify.click()
    expect(notify).to_have_text("Notifications du bureau : désactivées")
    handoff(url, "t-other", "Code promo refusé")
    expect(page).to_have_title("(1) Boîte de réception — back office", timeout=WAIT_MS)
    page.wait_for_timeout(500)
    assert len(page.evaluate("window.__notes")) == 2
    assert page.errors == []


def test_the_permission_is_asked_on_a_click_only(server: tuple[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    url, _app = server
    page = new_page(browser, url)
    button = page.get_by_role("button", name="Activer les notifications du bureau")
    expect(button).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__asked") == 0
    button.click()
    wait_for(page, "window.__asked", 1)
