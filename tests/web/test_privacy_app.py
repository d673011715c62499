"""The privacy side of the widget's demo app, without a browser or Rasa (issue 17, item 6): the
privacy notice URL given to the widget, the demo notice page, and the FAQ's answer about erasure.
"""

from __future__ import annotations

import pydantic
import pytest
import yaml
from fastapi.testclient import TestClient

from bot.settings import ROOT, Settings
from bot.web.app import create_app


def test_the_page_gives_the_widget_the_default_privacy_notice(monkeypatch):
    monkeypatch.delenv("COMPTOIR_PRIVACY_URL", raising=False)
    assert Settings().privacy_url == "/confidentialite"
    page = TestClient(create_app("http://127.0.0.1:5005")).get("/").text
    assert 'data-privacy-url="/confidentialite"' in page
    assert '<a href="/confidentialite">Données personnelles</a>' in page


def test_the_privacy_url_is_configurable_and_escaped(monkeypatch):
    monkeypatch.setenv("COMPTOIR_PRIVACY_URL", "https://boutique.exemple.fr/confidentialite")
    page = TestClient(create_app("http://127.0.0.1:5005")).get("/").text
    assert 'data-privacy-url="https://boutique.exemple.fr/confidentialite"' in page
    hostile = TestClient(create_app("http://127.0.0.1:5005", '/x"><script>alert(1)</script>'))
    assert "<script>alert(1)" not in hostile.get("/").text


@pytest.mark.parametrize("url", ["javascript:alert(1)", "confidentialite", "https://a b"])
def test_a_privacy_url_that_is_not_a_link_fails_at_start_up(monkeypatch, url):
    monkeypatch.setenv("COMPTOIR_PRIVACY_URL", url)
    with pytest.raises(pydantic.ValidationError):
        Settings()


def test_the_demo_privacy_notice_says_who_answers_what_is_kept_and_for_how_long():
    response = TestClient(create_app("http://127.0.0.1:5005")).get("/confidentialite")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    page = response.text
    assert 'lang="fr"' in page and "assistant automatique" in page
    for kept in ("conversations", "conseiller", "avis"):
        assert kept in page, kept
    assert "durée limitée, fixée par la boutique" in page
    assert "copie de vos données" in page and "effacement" in page
    assert Settings().support_email in page


def test_the_faq_says_what_erasure_really_does():
    """The FAQ promised deletion within 30 days, which nothing did (issue 17)."""
    faq = yaml.safe_load((ROOT / "data" / "faq" / "account.yml").read_text(encoding="utf-8"))
    answer = next(e["answer"] for e in faq["entries"] if e["id"] == "account.delete")
    assert "30 jours" not in answer
    for said in ("copie de vos données", "effacer", "adresse e-mail", "numéro de commande"):
        assert said in answer, said
    # bot/settings.py's default retention of conversations: 182 days after the last message
    assert Settings.model_fields["retention_conversations_days"].default == 182
    assert "conversations sont supprimées six mois après leur dernier message" in answer
