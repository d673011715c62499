"""The admins' users page in a real Chromium (issue 19, "Admins"): an admin renames a colleague,
resets their password (generated, shown once; the colleague's open session ends and the new
password works), deactivates the account after confirming, and reads a confirmation after each
action; the table and the account page stay readable at 412 px. Screenshots land in
reports/screenshots. Needs Debian's chromium (skipped without it), not Rasa."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.backoffice.db import User
from tests.browser import CSP_REPORT, SHOTS, needs_chromium

from .conftest import HASH, PASSWORD

LONG_EMAIL = "adelaide.de-la-tour-d-auvergne.administratrice@boutique-de-demonstration.fr"

pytestmark = needs_chromium


@pytest.fixture
def kb() -> Any:
    """No knowledge base: the users pages never search the FAQ (building one takes a minute)."""
    return object()


def new_page(browser: Any, url: str, width: int = 1366) -> Any:
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    context.add_init_script(CSP_REPORT)
    return context.new_page()


def log_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def add_admins(app: Any) -> None:
    with app.state.sessions() as db:
        for email, name in (
            ("admin@boutique.fr", "Ada Admin"),
            (LONG_EMAIL, "Adélaïde de La Tour d'Auvergne"),
        ):
            db.add(User(email=email, display_name=name, role="admin", password_hash=HASH))
        db.commit()


def test_an_admin_renames_resets_and_deactivates(server: tuple[str, Any], browser: Any) -> None:
    from playwright.sync_api import expect

    url, app = server
    add_admins(app)
    alice = new_page(browser, url)  # the colleague, logged in on her own browser
    log_in(alice, url, "agent@boutique.fr", PASSWORD)
    expect(alice).to_have_url(f"{url}/inbox")

    page = new_page(browser, url)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, url, "admin@boutique.fr", PASSWORD)
    expect(page).to_have_url(f"{url}/inbox")
    page.get_by_role("link", name="Utilisateurs").click()
    expect(page.get_by_role("heading", name="Utilisateurs", level=1)).to_be_visible()
    page.get_by_role("link", name="Gérer le compte d'Alice").click()
    expect(page.get_by_role("heading", name="Compte d'Alice", level=1)).to_be_visible()
    flash = page.locator("#flash")

    # Rename: the confirmation is shown, and focused so that a screen reader reads it.
    page.get_by_label("Nouveau nom affiché").fill("Alice Martin")
    page.get_by_role("button", name="Renommer").click()
    expect(flash).to_have_attribute("role", "status")
    expect(flash).to_have_text(
        re.compile("^Nom affiché changé : « Alice » s'appelle désormais « Alice Martin »")
    )
    expect(flash).to_be_focused()
    expect(page.get_by_role("heading", name="Compte d'Alice Martin", level=1)).to_be_visible()

    # Reset, a chosen password first: the field appears with the choice; a weak one is refused.
    chosen = page.get_by_label("Mot de passe provisoire choisi")
    expect(chosen).to_be_hidden()
    page.get_by_label("Le choisir moi-même").check()
    expect(chosen).to_be_visible()
    expect(chosen).to_be_focused()
    chosen.fill("azerty1234")
    page.get_by_role("button", name="Réinitialiser le mot de passe").click()
    expect(flash).to_have_attribute("role", "alert")
    expect(flash).to_contain_text("Mot de passe trop facile à deviner.")
    expect(flash).to_contain_text("Rien n'a été changé.")
    expect(page.get_by_label("Le choisir moi-même")).to_be_checked()

    # … then a generated one, shown once, copied in one click.
    page.get_by_label("Le générer (il s'affichera une seule fois)").check()
    expect(chosen).to_be_hidden()
    page.get_by_role("button", name="Réinitialiser le mot de passe").click()
    expect(flash).to_contain_text("Mot de passe d'Alice Martin réinitialisé.")
    expect(flash).to_contain_text("Il ne sera plus affiché")
    temporary = page.locator("#temporary-password").inner_text()
    assert re.fullmatch(r"([a-z]+-){4}\d\d", temporary), temporary
    page.get_by_role("button", name="Copier").click()
    expect(page.locator(".copied")).to_have_text("Copié.")
    assert page.evaluate("navigator.clipboard.readText()") == temporary
    page.screenshot(path=str(SHOTS / "backoffice-users-reset-1366.png"), full_page=True)

    # Alice's open session ended; the old password is refused, the temporary one works.
    alice.reload()
    expect(alice).to_have_url(re.compile(r"/login"))
    log_in(alice, url, "agent@boutique.fr", PASSWORD)
    expect(alice.get_by_role("alert")).to_have_text("E-mail ou mot de passe incorrect.")
    log_in(alice, url, "agent@boutique.fr", temporary)
    # A reset password is temporary: "Mon compte" first, to choose her own.
    expect(alice).to_have_url(f"{url}/account")
    expect(alice.get_by_role("alert")).to_contain_text("choisissez-en un nouveau")
    alice.goto(f"{url}/inbox")
    expect(alice).to_have_url(f"{url}/account")  # nothing else until she has
    expect(alice.get_by_role("link", name="Alice Martin (conseiller)")).to_be_visible()

    # Deactivate: asked first (cancel keeps the account), then confirmed.
    asked: list[str] = []

    def refuse(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    page.get_by_role("button", name="Désactiver le compte").click()
    assert asked == [
        "Désactiver le compte d'Alice Martin ? Ses sessions ouvertes seront fermées tout de suite."
    ]
    expect(page.get_by_role("button", name="Désactiver le compte")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Désactiver le compte").click()
    expect(flash).to_have_text(
        re.compile("^Compte d'Alice Martin désactivé. Ses sessions ouvertes ont été fermées")
    )
    expect(page.get_by_role("button", name="Réactiver le compte")).to_be_visible()
    alice.reload()
    expect(alice).to_have_url(re.compile(r"/login"))
    log_in(alice, url, "agent@boutique.fr", temporary)
    expect(alice.get_by_role("alert")).to_have_text("E-mail ou mot de passe incorrect.")

    # The admin's own account: nothing to deactivate or demote, the password is in « Mon compte ».
    page.get_by_role("link", name="← Tous les utilisateurs").click()
    row = page.locator("table.users tbody tr", has_text="Alice Martin")
    expect(row).to_have_class("inactive")
    expect(row.locator("td", has_text="désactivé")).to_be_visible()
    page.get_by_role("link", name="Gérer le compte d'Ada Admin").click()
    expect(page.get_by_role("button", name="Désactiver le compte")).to_have_count(0)
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('csp')") is None and errors == [], errors


def test_the_users_pages_fit_a_phone(server: tuple[str, Any], browser: Any) -> None:
    """At 412 px each account is a card: every cell inside the screen, nothing scrolls sideways."""
    from playwright.sync_api import expect

    url, app = server
    add_admins(app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 412):
        page = new_page(browser, url, width)
        log_in(page, url, LONG_EMAIL, PASSWORD)
        expect(page).to_have_url(f"{url}/inbox")
        page.goto(f"{url}/users")
        rows = page.locator("table.users tbody tr")
        expect(rows).to_have_count(3)
        cells = page.locator("table.users td").evaluate_all(
            "cells => cells.map(c => { const r = c.getBoundingClientRect();"
            " return [r.left, r.right, c.innerText]; })"
        )
        assert all(left >= 0 and right <= width for left, right, _ in cells), cells
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        lines = page.locator(
            "table.users td[data-label='Rôle'], table.users td[data-label='État']"
        ).evaluate_all(
            "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
            " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; })"
        )
        assert lines == [1] * 6, lines  # "administrateur", "actif": never cut in two
        if width == 412:  # one card per account, each value under its column's name
            label = page.locator("table.users td[data-label='E-mail']").first.evaluate(
                "td => getComputedStyle(td, '::before').content"
            )
            assert "data-label" in label or "E-mail" in label, label
            head = page.locator("table.users thead").bounding_box()
            assert head is not None and head["height"] <= 1  # the names are on each card
            boxes = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
            assert all(height > 100 for height in boxes), boxes
        page.screenshot(path=str(SHOTS / f"backoffice-users-{width}.png"), full_page=True)
        page.get_by_role("link", name="Gérer le compte d'Alice").click()
        expect(page.get_by_role("heading", name="Compte d'Alice", level=1)).to_be_visible()
        page.get_by_label("Le générer (il s'affichera une seule fois)").check()
        page.get_by_role("button", name="Réinitialiser le mot de passe").click()
        expect(page.locator("#temporary-password")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"backoffice-users-manage-{width}.png"), full_page=True)
        assert page.evaluate("sessionStorage.getItem('csp')") is None
        page.context.close()
