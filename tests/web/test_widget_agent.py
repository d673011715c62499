"""Issue 19, "the shopper sees who answers" and defect 2, in a real Chromium: during a hand-off
"L'assistant écrit…" never shows (also after a reload); an agent's messages come in their own
style under their first name, after "Julie, du service client, a rejoint la conversation.", with
the time; a reply that arrives while the chat is closed is counted on the launcher and in the
page's title until the chat is opened; the widget wears the shop's colour and title.

No Rasa: the demo page (bot/web/app.py) is served with a stand-in of the widget's socket.io
channel on the same origin. The stand-in sends what bot/rasa/channels/socketio.py's WidgetOutput
sends for the actions of actions/handoff.py (tests/in_rasa/test_socketio_widget.py checks that
side): `{"text": …, "widget": {"handoff": "start"}}`, `{"text": …, "widget": {"agent": "Julie"}}`…
Screenshots of the widget at 1366 px and 412 px (and of the closed widget with two unread
replies) go to reports/screenshots/.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from bot.web.app import BRAND_COLOR, create_app, shop_page, widget_color
from tests.browser import SHOTS, needs_chromium

WAIT_MS = 5_000
OPEN = "Ouvrir le chat avec l'assistant"
HANDED_OVER = (
    "Je vous mets en relation avec un conseiller, qui a déjà le résumé de notre échange : il "
    "vous répond ici dans un instant. Vous pouvez continuer à écrire, il lira tout."
)
JOINED = "Julie, du service client, a rejoint la conversation."


# ------------------------------------------------------------------ the demo page, no browser
def test_the_demo_page_gives_the_widget_the_shops_colour_and_title():
    page = TestClient(create_app("https://chat.exemple.fr")).get("/")
    assert f'data-color="{BRAND_COLOR}"' in page.text
    assert 'data-title="La Maison du Thé"' in page.text


@pytest.mark.parametrize("bad", ["red", "#12345", "#gggggg", "3d5a45", '#fff" onload="x', ""])
def test_a_colour_must_be_a_css_hex_colour(bad: str):
    with pytest.raises(ValueError):
        widget_color(bad)
    with pytest.raises(ValueError):
        shop_page("https://chat.exemple.fr", color=bad)
    assert widget_color("#FFF") == "#FFF" and widget_color("#3d5a45") == "#3d5a45"


def test_a_title_is_escaped():
    page = shop_page("https://chat.exemple.fr", title='Thé "&" <b>')
    assert 'data-title="Thé &quot;&amp;&quot; &lt;b&gt;"' in page


# ------------------------------------------------------------------ stand-in socket.io channel
class StandIn:
    """The demo page plus a socket.io server speaking the widget's protocol, in a thread."""

    def __init__(self) -> None:
        import socketio  # python-socketio, a dependency of the back office's tests already
        import uvicorn

        self.sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        web = create_app(socket_url=self.url)

        @web.get("/essai")
        def trial(color: str = "", title: str = "") -> HTMLResponse:  # any attribute, unchecked
            return HTMLResponse(
                '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title>'
                '</head><body><p>Essai</p><script src="/widget/comptoir.js" '
                f'data-socket-url="{self.url}" data-color="{color}" data-title="{title}" defer>'
                "</script></body></html>"
            )

        self.said: list[tuple[str, str]] = []
        self.in_handoff: set[str] = set()
        self.sio.on("session_request", self._session_request)
        self.sio.on("user_uttered", self._user_uttered)
        self.sio.on("disconnect", self._disconnect)
        self.conversations: dict[str, str] = {}
        self.sessions: list[str] = []  # the conversation of each session_request, in order
        app = socketio.ASGIApp(self.sio, other_asgi_app=web)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_until_complete, args=(self.server.serve(),), daemon=True
        )

    async def _session_request(self, sid: str, data: Any) -> None:
        wanted = data.get("session_id") if isinstance(data, dict) else None
        conversation = wanted or f"web-{uuid.uuid4().hex[:12]}"
        self.conversations[sid] = conversation
        self.sessions.append(conversation)
        joined = self.sio.enter_room(sid, conversation)
        if inspect.isawaitable(joined):
            await joined
        await self.sio.emit("session_confirm", conversation, room=sid)

    async def _disconnect(self, sid: str, *_: Any) -> None:
        self.conversations.pop(sid, None)

    async def _user_uttered(self, sid: str, data: Any) -> None:
        """Like the bot: a hand-off when asked for a person, then silence (the message goes to
        the agent); otherwise an answer after a moment (the typing indicator shows)."""
        conversation = self.conversations[sid]
        text = str(data.get("message") or "")
        self.said.append((conversation, text))
        if conversation in self.in_handoff:
            return
        await asyncio.sleep(0.4)
        if "conseiller" in text:
            self.in_handoff.add(conversation)
            reply = {"text": HANDED_OVER, "widget": {"handoff": "start"}}
        else:
            reply = {"text": "Bonjour ! Que puis-je faire pour vous ?"}
        await self.sio.emit("bot_uttered", reply, room=conversation)

    def push(self, conversation: str, message: dict[str, Any]) -> None:
        """What the back office's trigger_intent makes the channel send."""
        if (message.get("widget") or {}).get("handoff") == "end":
            self.in_handoff.discard(conversation)
        asyncio.run_coroutine_threadsafe(
            self.sio.emit("bot_uttered", message, room=conversation), self.loop
        ).result(5)

    def agent_says(self, conversation: str, text: str, first: bool = False) -> None:
        if first:
            self.push(conversation, {"text": JOINED, "widget": {"agent": "Julie", "note": True}})
        self.push(conversation, {"text": text, "widget": {"agent": "Julie"}})

    def start(self) -> StandIn:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "the stand-in did not start"
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    server = StandIn().start()
    try:
        yield server
    finally:
        server.stop()


def new_page(browser: Any, url: str, width: int = 1366, height: int = 768) -> tuple[Any, Any, list]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.goto(url)
    return context, page, problems


def conversation_of(page: Any) -> str:
    page.wait_for_function(
        "() => (JSON.parse(localStorage.getItem('comptoir') || '{}')).sessionId", timeout=WAIT_MS
    )
    return str(page.evaluate("() => JSON.parse(localStorage.getItem('comptoir')).sessionId"))


def watch_typing(page: Any) -> None:
    """Records whether the typing indicator shows at any moment from now on."""
    page.evaluate("""() => {
        const typing = document.querySelector('.comptoir-typing');
        window.__typingSeen = !typing.hidden;
        if (window.__typingWatch) { window.__typingWatch.disconnect(); }
        window.__typingWatch = new MutationObserver(() => {
            if (!typing.hidden) { window.__typingSeen = true; }
        });
        window.__typingWatch.observe(typing, {attributes: true});
    }""")


def typing_seen(page: Any) -> bool:
    return bool(page.evaluate("() => window.__typingSeen"))


def ask_for_a_person(standin: StandIn, page: Any) -> str:
    from playwright.sync_api import expect

    box = page.get_by_label("Votre message")
    box.fill("je veux parler à un conseiller")
    box.press("Enter")
    expect(page.locator(".comptoir-bot").last).to_contain_text("en relation", timeout=WAIT_MS)
    return conversation_of(page)


def wait_said(standin: StandIn, conversation: str, text: str) -> None:
    deadline = time.monotonic() + WAIT_MS / 1000
    while (conversation, text) not in standin.said:
        assert time.monotonic() < deadline, f"{text!r} never reached the server"
        time.sleep(0.05)


# ------------------------------------------------------------------ in Chromium
@needs_chromium
def test_nobody_is_typing_during_a_hand_off_and_the_agent_is_shown(standin: StandIn, browser: Any):
    """Defect 2 (the indicator showed for 20 s after each message to a person) and the agent's
    messages as a person's, also after a reload mid-hand-off."""
    from playwright.sync_api import expect

    context, page, problems = new_page(browser, standin.url)
    try:
        page.get_by_role("button", name=OPEN).click()
        box = page.get_by_label("Votre message")
        watch_typing(page)
        box.fill("bonjour")
        box.press("Enter")
        expect(page.locator(".comptoir-bot").last).to_contain_text("Bonjour", timeout=WAIT_MS)
        assert typing_seen(page)  # the bot answers: it shows, as before

        conversation = ask_for_a_person(standin, page)
        status = page.locator(".comptoir-status")
        expect(status).to_have_text("Un conseiller va vous répondre")
        watch_typing(page)
        box.fill("vous êtes là ?")
        box.press("Enter")
        wait_said(standin, conversation, "vous êtes là ?")
        page.wait_for_timeout(600)  # longer than the stand-in's bot takes to answer
        assert not typing_seen(page)
        expect(page.locator(".comptoir-typing")).to_be_hidden()

        standin.agent_says(conversation, "Bonjour, je regarde votre colis.", first=True)
        log = page.get_by_role("log")
        expect(log.locator(".comptoir-note")).to_have_text(JOINED, timeout=WAIT_MS)
        agent = log.locator(".comptoir-agent")
        expect(agent).to_have_count(1)
        expect(agent).to_contain_text("Bonjour, je regarde votre colis.")
        expect(agent.locator(".comptoir-sr")).to_have_text("Julie (service client) : ")
        expect(log.locator(".comptoir-author")).to_have_text(["Julie"])
        expect(status).to_have_text("Avec Julie, du service client")
        standin.agent_says(conversation, "Il arrive demain.")
        expect(agent).to_have_count(2, timeout=WAIT_MS)
        expect(log.locator(".comptoir-author")).to_have_count(1)  # once for messages in a row
        # Their own style, not the bot's; the time of each message.
        styles = agent.first.evaluate(
            "n => [getComputedStyle(n).backgroundColor, getComputedStyle(n).borderLeftWidth]"
        )
        bot_background = log.locator(".comptoir-bot:not(.comptoir-agent)").first.evaluate(
            "n => getComputedStyle(n).backgroundColor"
        )
        assert styles[0] != bot_background and styles[1] == "3px"
        now = page.evaluate(
            "() => new Date().toLocaleTimeString('fr-FR', {hour: '2-digit', minute: '2-digit'})"
        )
        stamp = agent.last.get_attribute("data-time") or ""
        assert re.fullmatch(r"\d\d:\d\d", stamp) and abs(_minutes(stamp) - _minutes(now)) <= 1
        shown = agent.last.evaluate("n => getComputedStyle(n, '::after').content")
        assert shown == f'"{stamp}"'
        assert log.locator(".comptoir-user").last.get_attribute("data-time")

        # A reload mid-hand-off: still nobody "typing", the agent still shown as such.
        page.reload()
        log = page.get_by_role("log")
        expect(log.locator(".comptoir-agent")).to_have_count(2)
        expect(log.locator(".comptoir-note")).to_have_text(JOINED)
        expect(page.locator(".comptoir-status")).to_have_text("Avec Julie, du service client")
        watch_typing(page)
        box = page.get_by_label("Votre message")
        box.fill("merci, j'attends")
        box.press("Enter")
        wait_said(standin, conversation, "merci, j'attends")
        page.wait_for_timeout(600)
        assert not typing_seen(page)

        # The case is resolved: the bot is back, and so is its typing indicator.
        standin.push(
            conversation,
            {
                "text": "Comment évaluez-vous l'aide reçue, de 1 à 5 ?",
                "quick_replies": [{"content_type": "text", "title": "5", "payload": "/rate"}],
                "widget": {"handoff": "end"},
            },
        )
        expect(page.locator(".comptoir-status")).to_be_hidden(timeout=WAIT_MS)
        watch_typing(page)
        box.fill("une autre question")
        box.press("Enter")
        expect(page.locator(".comptoir-bot").last).to_contain_text("Bonjour", timeout=WAIT_MS)
        assert typing_seen(page)
        assert not problems, problems
    finally:
        context.close()


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


@needs_chromium
def test_a_reply_to_a_closed_chat_is_counted_until_opened(standin: StandIn, browser: Any):
    from playwright.sync_api import expect

    context, page, problems = new_page(browser, standin.url)
    try:
        title = page.title()
        page.get_by_role("button", name=OPEN).click()
        conversation = ask_for_a_person(standin, page)
        page.get_by_role("button", name="Fermer le chat").click()
        launcher = page.get_by_role("button", name=OPEN)
        badge = page.locator(".comptoir-badge")
        expect(badge).to_be_hidden()

        standin.agent_says(conversation, "Bonjour, je regarde votre colis.", first=True)
        expect(badge).to_have_text("1", timeout=WAIT_MS)  # the note is not a message
        expect(badge).to_be_visible()
        expect(page).to_have_title(f"(1) {title}")
        assert launcher.get_attribute("aria-label") == f"{OPEN}, 1 nouveau message"
        standin.agent_says(conversation, "Il arrive demain.")
        expect(badge).to_have_text("2", timeout=WAIT_MS)
        expect(page).to_have_title(f"(2) {title}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "widget-unread.png"))

        # Still counted after a reload with the chat closed, and replies still arrive.
        sessions = standin.sessions.count(conversation)
        page.reload()
        badge = page.locator(".comptoir-badge")
        expect(badge).to_have_text("2")
        expect(page).to_have_title(f"(2) {title}")
        deadline = time.monotonic() + WAIT_MS / 1000  # it reconnects by itself during a hand-off
        while standin.sessions.count(conversation) == sessions:
            assert time.monotonic() < deadline, "the closed widget did not reconnect"
            time.sleep(0.05)
        standin.agent_says(conversation, "Je vous ai envoyé le suivi par e-mail.")
        expect(badge).to_have_text("3", timeout=WAIT_MS)

        page.get_by_role("button", name=OPEN).click()
        expect(badge).to_be_hidden()
        expect(page).to_have_title(title)
        assert page.get_by_role("button", name="Fermer le chat").is_visible()
        log = page.get_by_role("log")
        expect(log.locator(".comptoir-agent")).to_have_count(3)
        expect(log.locator(".comptoir-author").first).to_have_text("Julie")
        expect(log.locator(".comptoir-agent").last).to_contain_text("le suivi par e-mail")
        page.reload()  # read means read
        expect(page).to_have_title(title)
        expect(page.locator(".comptoir-badge")).to_be_hidden()
        assert not problems, problems
    finally:
        context.close()


def _colour(locator: Any, prop: str = "backgroundColor") -> str:
    return str(locator.evaluate(f"n => getComputedStyle(n).{prop}"))


@needs_chromium
def test_the_widget_wears_the_shops_colour_and_title(standin: StandIn, browser: Any):
    from playwright.sync_api import expect

    context, page, problems = new_page(browser, standin.url)
    try:  # the demo page: La Maison du Thé's green and name
        launcher = page.get_by_role("button", name=OPEN)
        assert _colour(launcher) == "rgb(61, 90, 69)"
        assert _colour(launcher, "color") == "rgb(255, 255, 255)"
        launcher.click()
        expect(
            page.locator("#comptoir-panel").get_by_role("heading", name="La Maison du Thé")
        ).to_be_visible()
        assert _colour(page.locator(".comptoir-header")) == "rgb(61, 90, 69)"
        assert not problems, problems
    finally:
        context.close()

    # A light colour gets dark text; a shortened hex colour is understood.
    context, page, problems = new_page(browser, f"{standin.url}/essai?color=%23fd0&title=Chez+Lou")
    try:
        launcher = page.get_by_role("button", name=OPEN)
        assert _colour(launcher) == "rgb(255, 221, 0)"
        assert _colour(launcher, "color") == "rgb(27, 31, 36)"
        launcher.click()
        expect(
            page.locator("#comptoir-panel").get_by_role("heading", name="Chez Lou")
        ).to_be_visible()
        # links and borders on white use a shade dark enough to read (4.5:1 at least)
        dark = page.evaluate(
            "() => getComputedStyle(document.querySelector('.comptoir'))"
            ".getPropertyValue('--c-accent-dark').trim()"
        )
        assert _contrast_with_white(dark) >= 4.5
        assert not problems, problems
    finally:
        context.close()

    # Anything but a hex colour is ignored, with a warning for the shop's developer.
    bad = "red;background:url(x)"
    context, page, problems = new_page(browser, f"{standin.url}/essai?color={bad}&title=")
    try:
        launcher = page.get_by_role("button", name=OPEN)
        assert _colour(launcher) == "rgb(31, 95, 139)"  # the default
        launcher.click()
        expect(
            page.locator("#comptoir-panel").get_by_role("heading", name="Assistant de la boutique")
        ).to_be_visible()
        assert any("data-color" in p for p in problems), problems
    finally:
        context.close()


def _contrast_with_white(colour: str) -> float:
    values = [int(v) for v in re.findall(r"\d+", colour)[:3]]

    def channel(x: int) -> float:
        c = x / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(values[0]) + 0.7152 * channel(values[1]) + 0.0722 * channel(values[2])
    return 1.05 / (lum + 0.05)


@needs_chromium
@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1366, 768), ("phone", 412, 915)])
def test_screenshots_of_a_conversation_with_an_agent(
    standin: StandIn, browser: Any, name: str, width: int, height: int
):
    """reports/screenshots/widget-desktop.png and widget-phone.png, for the README."""
    from playwright.sync_api import expect

    context, page, problems = new_page(browser, standin.url, width, height)
    try:
        page.get_by_role("button", name=OPEN).click()
        box = page.get_by_label("Votre message")
        box.fill("Bonjour, mon colis CM482913 n'est toujours pas arrivé")
        box.press("Enter")
        expect(page.locator(".comptoir-bot")).to_have_count(1, timeout=WAIT_MS)
        conversation = ask_for_a_person(standin, page)
        standin.agent_says(
            conversation,
            "Bonjour, je suis Julie. Je vois votre commande CM482913 : le transporteur a eu un "
            "retard, elle sera livrée demain avant 13 h.",
            first=True,
        )
        expect(page.locator(".comptoir-agent")).to_have_count(1, timeout=WAIT_MS)
        box.fill("Merci beaucoup !")
        box.press("Enter")
        expect(page.locator(".comptoir-user").last).to_contain_text("Merci beaucoup")
        panel = page.locator("#comptoir-panel").bounding_box()
        assert panel is not None and panel["x"] >= 0 and panel["x"] + panel["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"widget-{name}.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 10_000
        assert not problems, problems
    finally:
        context.close()
