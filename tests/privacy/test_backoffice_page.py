"""The back office's « Données personnelles » page: admins only, CSRF, search by POST (no
e-mail in a URL), JSON download, erasure behind a confirmation step, both audited with the
admin's e-mail."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from bot.backoffice.app import create_app
from bot.backoffice.db import PrivacyAudit, User
from bot.backoffice.security import hash_password

from .conftest import MARIE, NOW, PAUL, World

PASSWORD = "mot-de-passe-solide"
HASH = hash_password(PASSWORD)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    settings = world.settings.model_copy(update={"purge_every_hours": 0.0})
    app = create_app(settings, kb=object(), clock=lambda: NOW)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        with world.stores.backoffice() as db:
            for email, role in (("admin@boutique.fr", "admin"), ("agent@boutique.fr", "agent")):
                db.add(
                    User(
                        email=email,
                        display_name=role.title(),
                        role=role,
                        password_hash=HASH,
                        active=True,
                    )
                )
            db.commit()
        yield client


def _login(client: TestClient, email: str) -> str:
    csrf = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return _csrf(client.get("/account").text)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_only_admins_see_the_page(world: World, client: TestClient) -> None:
    csrf = _login(client, "agent@boutique.fr")
    assert 'href="/privacy"' not in client.get("/account").text
    assert client.get("/privacy", headers={"accept": "text/html"}).status_code == 403
    response = client.post("/privacy/search", data={"email": MARIE.email, "csrf_token": csrf})
    assert response.status_code == 403


def test_search_export_and_erase_with_confirmation(world: World, client: TestClient) -> None:
    world.add_shopper(MARIE)
    world.add_shopper(PAUL)
    csrf = _login(client, "admin@boutique.fr")
    page = client.get("/privacy")
    assert page.status_code == 200 and 'href="/privacy"' in page.text

    # No CSRF token: refused.
    assert client.post("/privacy/search", data={"email": MARIE.email}).status_code == 403

    found = client.post("/privacy/search", data={"email": MARIE.email, "csrf_token": csrf})
    assert found.status_code == 200
    assert MARIE.web in found.text and MARIE.telegram in found.text
    assert PAUL.web not in found.text

    exported = client.post("/privacy/export", data={"email": MARIE.email, "csrf_token": csrf})
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].startswith("attachment;")
    document = json.loads(exported.text)
    assert {c["id"] for c in document["conversations"]} == {MARIE.web, MARIE.telegram}
    assert document["cases"][0]["rating"] == 5

    asked = client.post("/privacy/erase", data={"email": MARIE.email, "csrf_token": csrf})
    assert asked.status_code == 200 and "Effacer définitivement" in asked.text
    assert world.leftovers(MARIE)  # not before the confirmation

    # The confirmation step's own form: its hidden fields carry the criteria and "oui".
    form = asked.text[asked.text.index('action="/privacy/erase"') :].split("</form>")[0]
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert fields == {"csrf_token": csrf, "email": MARIE.email, "confirm": "oui"}
    done = client.post("/privacy/erase", data=fields)
    assert done.status_code == 200 and "Effacé : 2 conversation(s)" in done.text
    assert world.leftovers(MARIE) == []
    again = client.post("/privacy/search", data={"email": PAUL.email, "csrf_token": csrf})
    assert PAUL.web in again.text and PAUL.telegram in again.text

    with world.stores.backoffice() as db:
        entries = db.scalars(sa.select(PrivacyAudit).order_by(PrivacyAudit.id)).all()
    assert [(e.action, e.actor, e.origin, e.criteria) for e in entries] == [
        ("export", "admin@boutique.fr", "backoffice", "email"),
        ("erase", "admin@boutique.fr", "backoffice", "email"),
    ]
    journal = client.get("/privacy").text
    assert "admin@boutique.fr (backoffice)" in journal and "effacement" in journal


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_bad_or_empty_criteria(world: World, client: TestClient) -> None:
    csrf = _login(client, "admin@boutique.fr")
    empty = client.post("/privacy/search", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "Remplissez au moins un champ" in empty.text
    bad = client.post("/privacy/search", data={"email": "x", "csrf_token": csrf})
    assert bad.status_code == 422 and "adresse e-mail invalide" in bad.text
    nothing = client.post(
        "/privacy/export", data={"email": "personne@exemple.fr", "csrf_token": csrf}
    )
    assert nothing.status_code == 404 and "Rien trouvé" in nothing.text
