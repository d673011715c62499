"""Issue 19, "when the team is away", walked in a real Chromium on the whole stack: after hours
a shopper asks for a person, accepts to be told by e-mail and gives an address; an agent replies
in the back office; the local SMTP server (aiosmtpd on 127.0.0.1, started here) receives the
mail with the reply and the link; the link, opened in a fresh browser, shows the conversation
with the agent's reply. Screenshot: reports/screenshots/widget-email.png.

Run under the heavy-test lock (common rules):
    flock /tmp/comptoir-heavy.lock .venv/bin/pytest tests/web/test_widget_email.py -x -q
"""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.settings import ROOT
from bot.tools.processes import free_port
from tests.browser import SHOTS, WAIT_MS, needs_chromium
from tests.stack import agent_login, create_user, handoff_of, running, stack_env
from tests.web.conftest import WidgetStack, open_widget

pytestmark = needs_chromium
PASSWORD = "motdepasse-e2e-1"
ADDRESS = "jeanne.martin@exemple.fr"
REPLY = "Bonjour Jeanne, votre colis part demain matin : vous recevrez le suivi par e-mail."


class Inbox:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def away_stack(
    tmp_path_factory: pytest.TempPathFactory, smtp: tuple[Inbox, int]
) -> Iterator[WidgetStack]:
    """tests/web/conftest.py's `web_stack`, with a local SMTP server and a team that never
    works (no weekday): every hand-off is after hours."""
    tmp = tmp_path_factory.mktemp("away_stack")
    env = stack_env(
        tmp,
        COMPTOIR_WEB_PORT=str(free_port()),
        COMPTOIR_RASA_CREDENTIALS=str(tmp / "credentials.yml"),
        COMPTOIR_FORGOTTEN_DB=str(tmp / "forgotten.db"),
        COMPTOIR_SUPPORT_WEEKDAYS="[]",
        COMPTOIR_SMTP_HOST="127.0.0.1",
        COMPTOIR_SMTP_PORT=str(smtp[1]),
        COMPTOIR_SMTP_STARTTLS="false",
        COMPTOIR_MAIL_LINK_SECRET="e2e-mail-link-secret",
        COMPTOIR_MAIL_WORKER_SECONDS="1",
        COMPTOIR_MAIL_GROUP_SECONDS="0",
    )
    env["COMPTOIR_WIDGET_SOCKET_URL"] = f"http://127.0.0.1:{env['COMPTOIR_RASA_PORT']}"
    stack = WidgetStack(env=env, logs=tmp)
    with running(stack) as started:
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


def wait_for_mail(inbox: Inbox, timeout: float = 30) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while not inbox.mails:
        assert time.monotonic() < deadline, "no mail reached the local SMTP server"
        time.sleep(0.2)
    return inbox.mails[0]


def test_after_hours_the_reply_also_arrives_by_email_and_its_link_reopens_the_chat(
    away_stack: WidgetStack, smtp: tuple[Inbox, int], browser: Any
) -> None:
    from playwright.sync_api import expect

    stack, inbox = away_stack, smtp[0]
    create_user(stack, "julie@boutique-demo.fr", "agent", PASSWORD)
    agent = agent_login(stack, "julie@boutique-demo.fr", PASSWORD)
    context, page = open_widget(browser, stack.web_url)
    try:
        box = page.get_by_label("Votre message")
        log = page.get_by_role("log")
        box.fill("je veux parler à un conseiller")
        box.press("Enter")
        page.get_by_role("button", name="Oui, par e-mail").click(timeout=WAIT_MS)
        expect(log).to_contain_text("quelle est votre adresse e-mail", timeout=WAIT_MS)
        box.fill("jeanne.martin@exemple")  # a typo first: asked again, with an example
        box.press("Enter")
        expect(log).to_contain_text("prenom.nom@exemple.fr", timeout=WAIT_MS)
        box.fill(ADDRESS)
        box.press("Enter")
        expect(log).to_contain_text(f"vous sera aussi envoyée à {ADDRESS}", timeout=WAIT_MS)
        session = page.evaluate("JSON.parse(localStorage.getItem('comptoir')).sessionId")
    finally:
        context.close()

    case = handoff_of(stack, session)
    page_text = agent.get(f"{stack.backoffice_url}/inbox/{case['id']}", timeout=30).text
    assert "Réponse aussi envoyée par e-mail à j…@exemple.fr" in page_text
    sent = agent.post(
        f"{stack.backoffice_url}/inbox/{case['id']}/reply", data={"text": REPLY}, timeout=30
    )
    assert sent.ok, sent.text[:500]

    mail = wait_for_mail(inbox)
    assert mail["To"] == ADDRESS
    assert mail["Subject"] == "Réponse du service client — La Maison du Thé"
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert REPLY in plain and "Julie, du service client" in plain
    link = re.search(r"http://\S+#reprise=\S+", plain)
    assert link, plain
    assert link.group(0).startswith(f"{stack.web_url}/#reprise=")
    assert session not in plain  # the link names the mail, never the conversation

    # Another browser, nothing stored: the link alone reopens the conversation.
    fresh = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    try:
        page = fresh.new_page()
        page.goto(link.group(0))
        log = page.get_by_role("log")
        expect(log.locator(".comptoir-agent").last).to_contain_text(REPLY, timeout=WAIT_MS)
        expect(log).to_contain_text(ADDRESS)  # the earlier messages are there too
        assert "#reprise" not in page.url  # taken out of the address bar
        kept = page.evaluate("JSON.parse(localStorage.getItem('comptoir')).sessionId")
        assert kept == session
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "widget-email.png"))
        # The conversation goes on: the shopper's answer reaches the agent's case.
        box = page.get_by_label("Votre message")
        box.fill("Merci beaucoup !")
        box.press("Enter")
        deadline = time.monotonic() + 30
        while "Merci beaucoup !" not in [m["text"] for m in handoff_of(stack, session)["messages"]]:
            assert time.monotonic() < deadline, "the shopper's answer did not reach the case"
            time.sleep(0.3)

        # A tampered link says so, and opens nothing.
        page2 = browser.new_context(locale="fr-FR").new_page()
        bad = re.sub(r"\.([A-Za-z0-9_-]{22})$", ".AAAAAAAAAAAAAAAAAAAAAA", link.group(0))
        page2.goto(bad)
        expect(page2.get_by_role("log")).to_contain_text(
            "Ce lien n'est plus valable", timeout=WAIT_MS
        )
        assert page2.evaluate("localStorage.getItem('comptoir')") is None or (
            session not in str(page2.evaluate("localStorage.getItem('comptoir')"))
        )
        page2.context.close()
    finally:
        fresh.close()
