"""The widget's demo app without a browser or Rasa: routes, headers, the socket URL setting."""

from __future__ import annotations

import re

import yaml
from fastapi.testclient import TestClient

from bot.settings import ROOT, Settings
from bot.web.app import STATIC, create_app


def test_page_embeds_the_widget_with_the_configured_socket_url(monkeypatch):
    monkeypatch.setenv("COMPTOIR_WIDGET_SOCKET_URL", "https://chat.exemple.fr")
    assert Settings().socket_url == "https://chat.exemple.fr"
    page = TestClient(create_app()).get("/")
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert (
        '<script src="/widget/comptoir.js" data-socket-url="https://chat.exemple.fr"' in page.text
    )
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "https://chat.exemple.fr wss://chat.exemple.fr" in policy


def test_default_socket_url_follows_the_rasa_port(monkeypatch):
    monkeypatch.delenv("COMPTOIR_WIDGET_SOCKET_URL", raising=False)
    monkeypatch.delenv("COMPTOIR_RASA_PORT", raising=False)
    monkeypatch.delenv("COMPTOIR_RASA_URL", raising=False)
    assert Settings().socket_url == "http://127.0.0.1:5005"
    monkeypatch.setenv("COMPTOIR_RASA_PORT", "6006")
    assert Settings().socket_url == "http://127.0.0.1:6006"
    monkeypatch.setenv("COMPTOIR_RASA_URL", "https://rasa.exemple.fr")
    assert Settings().socket_url == "https://rasa.exemple.fr"


def test_socket_url_is_escaped_in_the_page():
    page = TestClient(create_app('http://x"><script>alert(1)</script>')).get("/")
    assert "<script>alert(1)" not in page.text


def test_widget_files_are_served_with_their_types():
    client = TestClient(create_app("http://127.0.0.1:5005"))
    for name, kind in [
        ("comptoir.js", "javascript"),
        ("comptoir.css", "text/css"),
        ("socket.io.min.js", "javascript"),
    ]:
        response = client.get(f"/widget/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"]
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/widget/../app.py").status_code == 404
    assert client.get("/health").json() == {"status": "ok"}


def test_vendored_socketio_client_is_v4_with_its_licence_header():
    head = (STATIC / "socket.io.min.js").read_text(encoding="utf-8")[:200]
    assert "Socket.IO v4." in head and "MIT License" in head
    assert "MIT" in (STATIC / "socket.io.LICENSE").read_text(encoding="utf-8")


def test_widget_never_uses_innerhtml():
    source = (STATIC / "comptoir.js").read_text(encoding="utf-8")
    code = "\n".join(
        line for line in source.splitlines() if not line.lstrip().startswith(("*", "/*", "//"))
    )
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink


def test_the_page_and_the_faq_give_the_shops_free_delivery_threshold():
    """The demo page once said 49 € while the bot's FAQ said 60 € (issue 19, defect 10)."""
    page = TestClient(create_app("http://127.0.0.1:5005")).get("/").text
    threshold = re.search(r"Livraison offerte dès (\d+) €", page)
    assert threshold, "the page states a free-delivery threshold"
    faq = yaml.safe_load((ROOT / "data" / "faq" / "delivery_cost.yml").read_text())
    answer = next(
        entry["answer"] for entry in faq["entries"] if entry["id"] == "delivery_cost.free_threshold"
    )
    assert set(re.findall(r"offerte? dès (\d+) €", answer)) == {threshold.group(1)}
