"""The FAQ editor in a real Chromium, as a content editor uses it (issue 19, "Editors"): create
an entry by its question (its id made from it while typing), find it with a typo, edit it,
restore the first version from the history, under the Content-Security-Policy. At 1366 px and
412 px; screenshots reports/screenshots/faq-desktop.png and faq-phone.png.

Needs Debian's chromium (skipped without it), not Rasa."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.backoffice.db import User
from bot.kb import Hit
from bot.kb.config import get_kb_settings
from bot.kb.encoders import Encoder
from bot.kb.service import KnowledgeBase
from tests.browser import CSP_REPORT, SHOTS, WAIT_MS, needs_chromium

from .conftest import HASH, PASSWORD

QUESTION = "Organisez-vous des ateliers de maquillage ?"
ENTRY_ID = "product.organisez_ateliers_maquillage"
FIRST = "Oui : un atelier maquillage a lieu chaque samedi à 14 h dans notre boutique de Lyon."
SECOND = "Les ateliers maquillage reprennent en janvier ; inscrivez-vous en boutique."

pytestmark = needs_chromium


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1366, "height": 900})
    context.add_init_script(CSP_REPORT)
    return context.new_page()


def top_hit(kb: KnowledgeBase, question: str) -> Hit:
    """The entry the bot would answer first."""
    hit = kb.search(question).top
    assert hit is not None, question
    return hit


def wider_than_the_screen(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_an_editor_creates_finds_edits_and_restores_an_entry(
    server: tuple[str, Any], page: Any, kb_dir: Path, encoder: Encoder
) -> None:
    from playwright.sync_api import expect

    url, app = server
    with app.state.sessions() as db:
        db.add(
            User(
                email="editrice@boutique.fr",
                display_name="Élise",
                role="editor",
                password_hash=HASH,
                active=True,
            )
        )
        db.commit()
    bot = KnowledgeBase(settings=get_kb_settings(dir=kb_dir), encoder=encoder)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill("editrice@boutique.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    page.goto(f"{url}/faq")

    # Create: the topic chosen by its French name, the id follows the question as it is typed.
    page.get_by_role("link", name="Nouvelle entrée").click()
    expect(page.get_by_label("Identifiant")).to_have_count(0)
    page.get_by_label("Sujet", exact=True).select_option(label="Produits")
    page.get_by_label("Question", exact=True).fill(QUESTION)
    expect(page.locator("#new-id")).to_have_text(ENTRY_ID, timeout=WAIT_MS)
    page.get_by_label("Autres formulations").fill(
        "vous faites des cours de maquillage ?\nil y a un atelier make-up en boutique ?\n"
        "je voudrais apprendre à me maquiller chez vous"
    )
    page.get_by_label("Réponse", exact=True).fill(FIRST)
    page.get_by_role("button", name="Publier").click()
    confirm = page.get_by_role("button", name="Publier quand même")
    if confirm.count():  # a near-duplicate warning is allowed; the editor confirms
        confirm.click()
    expect(page.get_by_role("status").first).to_contain_text("Entrée publiée", timeout=WAIT_MS)
    assert top_hit(bot, "vous proposez des ateliers de maquillage ?").answer == FIRST

    # Find it with a typo, then edit it.
    search = page.get_by_role("searchbox", name="Rechercher")
    search.fill("ateliers maquilage")
    page.get_by_role("button", name="Filtrer").click()
    row = page.locator("table.entries tbody tr", has_text=QUESTION)
    expect(row).to_have_count(1)
    expect(row.locator(".topic")).to_have_text("Produits")
    row.get_by_role("link", name="Modifier").click()
    expect(page.get_by_label("Sujet", exact=True)).to_have_value("product")
    page.get_by_label("Réponse", exact=True).fill(SECOND)
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_role("status").first).to_contain_text("Modification publiée")
    assert top_hit(bot, "vous proposez des ateliers de maquillage ?").answer == SECOND

    # Restore the first version from the entry's history, after confirming.
    page.locator("table.entries tbody tr", has_text=QUESTION).get_by_role(
        "link", name="Historique"
    ).click()
    expect(page.locator("h1")).to_contain_text(ENTRY_ID)
    history_rows = page.locator("table.history tbody tr")
    expect(history_rows).to_have_count(2)
    expect(history_rows.nth(0)).to_contain_text("en service")
    history_rows.nth(1).get_by_role("link", name="Rétablir").click()
    expect(page.locator("h1")).to_have_text("Rétablir une version")
    expect(page.get_by_role("region", name="Version à rétablir")).to_contain_text(FIRST)
    expect(page.get_by_role("region", name="Version en service")).to_contain_text(SECOND)
    changed = page.get_by_role("region", name="Version à rétablir").locator("dd.changed")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text(FIRST)
    assert top_hit(bot, "vous proposez des ateliers de maquillage ?").answer == SECOND
    if page.viewport_size["width"] == 1366:
        page.screenshot(path=str(SHOTS / "faq-restore-desktop.png"))
    page.get_by_role("button", name="Rétablir cette version").click()
    expect(page.get_by_role("status").first).to_contain_text("Version rétablie")
    assert top_hit(bot, "vous proposez des ateliers de maquillage ?").answer == FIRST
    page.goto(f"{url}/faq/history?entry={ENTRY_ID}")
    expect(history_rows).to_have_count(3)
    expect(history_rows.nth(0)).to_contain_text("version rétablie")
    expect(history_rows.nth(0)).to_contain_text("Élise")

    # The editor's pages at 1366 px and on a phone: nothing scrolls sideways.
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = ("/faq?q=livriason", "/faq/new", f"/faq/{ENTRY_ID}/edit", "/faq/history")
    for width, name in ((1366, "faq-desktop.png"), (412, "faq-phone.png")):
        page.set_viewport_size({"width": width, "height": 900 if width > 412 else 915})
        overflow = {}
        for path in pages:
            page.goto(f"{url}{path}")
            expect(page.locator("h1")).to_be_visible()
            overflow[path] = wider_than_the_screen(page)
        assert all(extra <= 0 for extra in overflow.values()), (width, overflow)
        if width > 412:  # many rows: the first screen
            page.goto(f"{url}/faq?q=livriason")
            expect(page.locator("table.entries tbody tr").first).to_contain_text("ivraison")
            page.screenshot(path=str(SHOTS / name))
        else:  # one entry found with a typo: the whole page, each row a card
            page.goto(f"{url}/faq?q=ateliers+maquilage")
            expect(page.locator("table.entries tbody tr")).to_have_count(1)
            page.screenshot(path=str(SHOTS / name), full_page=True)
    assert page.evaluate("sessionStorage.getItem('csp')") is None and errors == [], errors
