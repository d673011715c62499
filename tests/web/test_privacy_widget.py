"""The widget and the shopper's privacy, in a real Chromium against the real Rasa server (issue
17, item 6): the conversation opens with who answers and a link to the privacy notice; nothing is
written to the browser before the chat is opened; a conversation erased at the shopper's request
is cleared from the browser at its next connection, which starts a new conversation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.browser import needs_chromium
from tests.web.conftest import WidgetStack, open_widget

pytestmark = [
    pytest.mark.e2e,
    needs_chromium,
]

WAIT_MS = 20_000
LAUNCHER = "Ouvrir le chat avec l'assistant"
KEY = "comptoir"


def stored(page: Any) -> Any:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}'))")


def wait_for_conversation(page: Any, other_than: str | None = None) -> str:
    """The conversation id the server confirmed, once the widget has saved it."""
    page.wait_for_function(
        f"""(old) => {{
            const state = JSON.parse(localStorage.getItem('{KEY}') || '{{}}');
            return state.sessionId && state.sessionId !== old;
        }}""",
        arg=other_than,
        timeout=WAIT_MS,
    )
    session: str = stored(page)["sessionId"]
    return session


def say(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    bot = page.locator(".comptoir-bot")
    before = bot.count()
    box = page.get_by_label("Votre message")
    box.fill(text)
    box.press("Enter")
    expect(bot.nth(before)).to_be_attached(timeout=WAIT_MS)


def said(stack: WidgetStack, conversation: str) -> list[str]:
    tracker = requests.get(
        f"{stack.rasa_url}/conversations/{conversation}/tracker",
        params={"token": stack.env["COMPTOIR_RASA_TOKEN"]},
        timeout=10,
    )
    tracker.raise_for_status()
    return [e.get("text") for e in tracker.json()["events"] if e["event"] == "user"]


def test_the_conversation_opens_with_who_answers_and_the_privacy_notice(
    web_stack: WidgetStack, browser: Any
):
    from playwright.sync_api import expect

    context, page = open_widget(browser, web_stack.web_url)
    try:
        log = page.get_by_role("log")
        first = log.locator(":scope > *").first
        expect(first).to_be_visible()
        expect(first).to_have_text(
            re.compile(
                r"^Vous discutez avec l'assistant automatique de la boutique\. "
                r"Un conseiller peut prendre le relais\. Vos messages sont conservés pour "
                r"traiter votre demande : en savoir plus"
            )
        )
        assert log.locator(".comptoir-msg").count() == 0  # before anything else
        link = first.get_by_role("link", name=re.compile("^en savoir plus"))
        expect(link).to_be_visible()
        href = link.get_attribute("href")
        assert href == f"{web_stack.web_url}/confidentialite"
        assert link.get_attribute("target") == "_blank"
        notice = requests.get(href, timeout=10)
        assert notice.status_code == 200 and "assistant automatique" in notice.text

        # Still the first thing once the conversation has started.
        say(page, "Bonjour")
        expect(log.locator(":scope > *").first).to_contain_text("assistant automatique")
    finally:
        context.close()


def test_nothing_is_stored_before_the_chat_is_opened_and_the_history_survives_a_reload_after(
    web_stack: WidgetStack, browser: Any
):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(web_stack.web_url)
        launcher = page.get_by_role("button", name=LAUNCHER)
        expect(launcher).to_be_visible()  # the widget has started
        page.wait_for_timeout(500)
        assert page.evaluate("localStorage.length") == 0
        page.reload()
        expect(page.get_by_role("button", name=LAUNCHER)).to_be_visible()
        page.wait_for_timeout(500)
        assert page.evaluate("localStorage.length") == 0

        page.get_by_role("button", name=LAUNCHER).click()
        session = wait_for_conversation(page)
        assert stored(page)["open"] is True
        say(page, "Bonjour")
        log = page.get_by_role("log")
        messages = log.locator(".comptoir-msg").count()
        shown = log.inner_text()

        page.reload()
        log = page.get_by_role("log")
        expect(log.locator(".comptoir-msg")).to_have_count(messages)
        assert log.inner_text() == shown
        assert stored(page)["sessionId"] == session
        say(page, "merci")
        assert said(web_stack, session) == ["Bonjour", "merci"]  # one conversation throughout
    finally:
        context.close()


def test_an_erased_conversation_is_cleared_from_the_browser_at_its_next_connection(
    web_stack: WidgetStack, browser: Any
):
    from playwright.sync_api import expect

    from bot.core import forgotten

    context, page = open_widget(browser, web_stack.web_url)
    try:
        old = wait_for_conversation(page)
        say(page, "Bonjour, petite question")
        assert stored(page)["history"]

        # what `python -m bot.privacy erase` records, with the stack's own secret
        forgotten.record(
            [old],
            Path(web_stack.env["COMPTOIR_FORGOTTEN_DB"]),
            key=web_stack.env["COMPTOIR_CONVERSATION_SECRET"],
        )
        page.reload()
        new = wait_for_conversation(page, other_than=old)
        log = page.get_by_role("log")
        expect(log.locator(".comptoir-msg")).to_have_count(0)
        expect(log.locator(":scope > *").first).to_contain_text("assistant automatique")
        assert stored(page)["history"] == []
        assert "petite question" not in log.inner_text()

        # A new conversation, kept across reloads like any other.
        say(page, "Bonjour de nouveau")
        assert said(web_stack, new) == ["Bonjour de nouveau"]
        messages = log.locator(".comptoir-msg").count()
        page.reload()
        expect(page.get_by_role("log").locator(".comptoir-msg")).to_have_count(messages)
        assert stored(page)["sessionId"] == new
    finally:
        context.close()
