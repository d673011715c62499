"""Revocable sessions: a copied cookie stops working after logout, a password change or reset,
a deactivation, and after 12 hours; the cookie's flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pydantic import HttpUrl

from bot.backoffice.app import create_app
from bot.backoffice.db import User, UserSession
from bot.kb.service import KnowledgeBase
from bot.settings import Settings

from .conftest import OPEN_TIME, PASSWORD, BackOffice, Clock
from .test_cli import in_process

COOKIE = "comptoir_backoffice"
NEW_PASSWORD = "girafe-piano-orage-7"


def copy_of(bo: BackOffice, client: TestClient) -> TestClient:
    """Another browser replaying `client`'s session cookie, as a thief would."""
    return TestClient(bo.app, base_url="http://127.0.0.1", cookies={COOKIE: client.cookies[COOKIE]})


def logged_out(client: TestClient) -> bool:
    page = client.get("/inbox", headers={"accept": "text/html"}, follow_redirects=False)
    fragment = client.get("/inbox/queue", follow_redirects=False)
    return (
        page.status_code == 303
        and page.headers["location"].startswith("/login")
        and fragment.status_code == 401
    )


def test_a_copied_cookie_stops_working_after_logout(bo: BackOffice) -> None:
    csrf = bo.login("agent@boutique.fr")
    thief = copy_of(bo, bo.client)
    assert thief.get("/inbox").status_code == 200  # the very same session, until logout
    assert (
        bo.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert logged_out(thief)
    assert logged_out(bo.client)
    with bo.db() as db:
        assert db.query(UserSession).count() == 0


def test_logout_ends_only_that_browsers_session(bo: BackOffice) -> None:
    phone = TestClient(bo.app, base_url="http://127.0.0.1")
    bo.login("agent@boutique.fr", client=phone)
    csrf = bo.login("agent@boutique.fr")
    bo.client.post("/logout", data={"csrf_token": csrf})
    assert phone.get("/inbox").status_code == 200


def test_password_change_ends_every_session_of_the_account(bo: BackOffice) -> None:
    phone = TestClient(bo.app, base_url="http://127.0.0.1")
    bo.login("agent@boutique.fr", client=phone)
    csrf = bo.login("agent@boutique.fr")
    thief = copy_of(bo, bo.client)
    form = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
        "csrf_token": csrf,
    }

    wrong = bo.client.post("/account/password", data={**form, "current_password": "faux"})
    assert wrong.status_code == 403 and "Mot de passe actuel incorrect" in wrong.text
    weak = bo.client.post(
        "/account/password",
        data={**form, "new_password": "azertyuiop", "confirm_password": "azertyuiop"},
    )
    assert weak.status_code == 422 and "Mot de passe trop facile à deviner" in weak.text
    typo = bo.client.post("/account/password", data={**form, "confirm_password": "autre"})
    assert typo.status_code == 422 and "diffèrent" in typo.text
    assert phone.get("/inbox").status_code == 200  # nothing changed so far

    changed = bo.client.post("/account/password", data=form, follow_redirects=False)
    assert changed.status_code == 303 and changed.headers["location"] == "/account?changed=1"
    page = bo.client.get(changed.headers["location"])  # this browser got a fresh session
    assert page.status_code == 200 and "Vos autres sessions" in page.text
    assert logged_out(phone) and logged_out(thief)
    assert bo.try_login("agent@boutique.fr", PASSWORD).status_code == 401
    assert bo.try_login("agent@boutique.fr", NEW_PASSWORD).status_code == 303


def test_deactivation_ends_sessions_for_good(bo: BackOffice) -> None:
    agent = TestClient(bo.app, base_url="http://127.0.0.1")
    bo.login("agent@boutique.fr", client=agent)
    thief = copy_of(bo, agent)
    csrf = bo.login("admin@boutique.fr")
    agent_id = bo.users["agent@boutique.fr"]
    bo.client.post(f"/users/{agent_id}", data={"role": "agent", "csrf_token": csrf})
    bo.client.post(f"/users/{agent_id}", data={"role": "agent", "active": "1", "csrf_token": csrf})
    with bo.db() as db:
        assert db.get(User, agent_id).active is True
        assert db.query(UserSession).filter_by(user_id=agent_id).count() == 0
    assert logged_out(agent) and logged_out(thief)  # reactivation brings no session back


def test_password_reset_from_the_command_line_ends_sessions(
    bo: BackOffice,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bo.login("agent@boutique.fr")
    url = settings.backoffice_db_url
    args = ["set-password", "--email", "Agent@Boutique.fr", "--password-stdin"]
    code, out = in_process(args, url, "1234567890\n", monkeypatch, capsys)
    assert code != 0 and "Mot de passe trop facile à deviner" in out
    assert bo.client.get("/inbox").status_code == 200
    code, out = in_process(args, url, NEW_PASSWORD + "\n", monkeypatch, capsys)
    assert code == 0 and "Mot de passe changé : agent@boutique.fr" in out
    assert logged_out(bo.client)
    assert bo.try_login("agent@boutique.fr", NEW_PASSWORD).status_code == 303


def test_a_session_lasts_twelve_hours(bo: BackOffice) -> None:
    bo.login("agent@boutique.fr")
    bo.clock.now = OPEN_TIME + timedelta(hours=11, minutes=59)
    assert bo.client.get("/inbox").status_code == 200
    bo.clock.now = OPEN_TIME + timedelta(hours=12)
    assert logged_out(bo.client)


def test_session_cookie_is_httponly_lax_and_secure_over_https(
    bo: BackOffice, settings: Settings, kb: KnowledgeBase, clock: Clock
) -> None:
    plain = bo.try_login("agent@boutique.fr", PASSWORD).headers["set-cookie"].lower()
    assert plain.startswith(f"{COOKIE}=")
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    https = settings.model_copy(
        update={"backoffice_public_url": HttpUrl("https://bo.example.test")}
    )
    with TestClient(create_app(https, kb=kb, clock=clock), base_url="https://127.0.0.1") as client:
        cookie = (
            bo.try_login("agent@boutique.fr", PASSWORD, client=client).headers["set-cookie"].lower()
        )
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert client.get("/inbox").status_code == 200
