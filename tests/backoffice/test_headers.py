"""Security headers on every response (pages, errors, redirects, static files, the API, a 500)
and pages that need no inline script or style, so the policy can forbid them."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from bot.backoffice.app import create_app
from bot.kb.service import KnowledgeBase
from bot.settings import Settings

from .conftest import BackOffice, Clock

EXPECTED = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
HTML = {"accept": "text/html"}


def assert_secured(response: Any) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["content-security-policy"].split(";")
    )
    assert policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]


def test_every_kind_of_response_carries_the_security_headers(bo: BackOffice) -> None:
    anonymous = TestClient(bo.app, base_url="http://127.0.0.1")
    login = anonymous.get("/login")
    assert login.status_code == 200
    assert_secured(login)
    redirect = anonymous.get("/", follow_redirects=False)
    assert redirect.status_code == 303
    assert_secured(redirect)
    csrf_refused = anonymous.post("/logout", headers=HTML)
    assert csrf_refused.status_code == 403 and "Jeton CSRF" in csrf_refused.text
    assert_secured(csrf_refused)
    for path in ("/static/app.js", "/static/style.css", "/healthz"):
        response = anonymous.get(path)
        assert response.status_code == 200
        assert_secured(response)
    api = anonymous.post("/api/handoffs", json={})
    assert api.status_code == 401
    assert_secured(api)

    bo.login("editor@boutique.fr")
    missing = bo.client.get("/faq/gift.nothing_here/edit", headers=HTML)
    assert missing.status_code == 404 and "Entrée introuvable" in missing.text
    assert_secured(missing)
    forbidden = bo.client.get("/users", headers=HTML)
    assert forbidden.status_code == 403 and "Accès réservé" in forbidden.text
    assert_secured(forbidden)


def test_an_unexpected_error_page_carries_them_too(
    settings: Settings, kb: KnowledgeBase, clock: Clock
) -> None:
    app = create_app(settings, kb=kb, clock=clock)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        crashed = client.get("/boom", headers=HTML)
    assert crashed.status_code == 500 and "Erreur inattendue" in crashed.text
    assert "boom" not in crashed.text
    assert_secured(crashed)


INLINE = [
    (r"<script\b(?![^>]*\bsrc=)", "inline <script>"),
    (r"\son[a-z]+\s*=", "inline event handler"),
    (r"\sstyle\s*=", "style attribute"),
    (r"<style\b", "<style> element"),
    (r"javascript:", "javascript: URL"),
]


def test_pages_have_no_inline_script_or_style(bo: BackOffice) -> None:
    """What the policy forbids must not be needed: every page, rendered, is checked."""
    handoff = bo.handoff("conv-csp")
    bo.login("admin@boutique.fr")
    pages = [
        "/login",
        "/inbox",
        f"/inbox/{handoff['id']}",
        "/faq",
        "/faq/new",
        "/faq/gift.wrapping/edit",
        "/faq/history",
        "/faq/test?q=livraison",
        "/users",
        "/account",
        "/faq/gift.nothing_here/edit",
    ]
    for path in pages:
        html = bo.client.get(path, headers=HTML).text
        assert "</html>" in html, path
        for pattern, what in INLINE:
            found = re.search(pattern, html)
            assert found is None, f"{what} in {path}: {html[found.start() - 80 : found.end() + 80]}"
    assert "htmx-config" in bo.client.get("/faq").text  # htmx injects no style, evals nothing
