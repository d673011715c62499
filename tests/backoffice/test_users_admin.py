"""The admins' users page (issue 19, "Admins"): rename, reset a colleague's password, change a
role, deactivate / reactivate, each followed by a French confirmation or refusal; only admins;
an admin keeps their own rights; the back office never loses its last active admin; a reset or a
deactivation ends the colleague's sessions at once."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.backoffice.db import User, UserSession
from bot.backoffice.passwords import WORDS, generate_password, password_problem
from bot.backoffice.routes.users import LAST_ADMIN, change_access

from .conftest import PASSWORD, BackOffice, page_csrf
from .test_headers import INLINE

AGENT = "agent@boutique.fr"
ADMIN = "admin@boutique.fr"
CHOSEN = "hamac-quartz-lupin-33"


@pytest.fixture
def kb() -> Any:
    """No knowledge base: these pages never search the FAQ (building one takes a minute)."""
    return object()


def browser(bo: BackOffice, email: str) -> TestClient:
    client = TestClient(bo.app, base_url="http://127.0.0.1")
    bo.login(email, client=client)
    return client


def logged_out(client: TestClient) -> bool:
    page = client.get("/inbox", headers={"accept": "text/html"}, follow_redirects=False)
    return page.status_code == 303 and page.headers["location"].startswith("/login")


def flash(page: str) -> str:
    """The text of the page's confirmation or refusal ("" when there is none)."""
    found = re.search(
        r'<(?:p|div) class="(?:notice|error) flash[^"]*"[^>]*>(.*?)</(?:p|div)>', page, re.S
    )
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip() if found else ""


def account(bo: BackOffice, email: str) -> User:
    with bo.db() as db:
        user = db.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def sessions_of(bo: BackOffice, email: str) -> int:
    with bo.db() as db:
        return db.query(UserSession).filter_by(user_id=bo.users[email]).count()


def test_only_admins_manage_accounts(bo: BackOffice) -> None:
    agent_id = bo.users[AGENT]
    before = account(bo, AGENT)
    for role in ("agent", "editor"):
        client = TestClient(bo.app, base_url="http://127.0.0.1")
        token = bo.login(f"{role}@boutique.fr", client=client)
        assert client.get(f"/users/{agent_id}").status_code == 403
        for action, data in (
            ("name", {"display_name": "Pirate"}),
            ("role", {"role": "admin"}),
            ("password", {"mode": "choose", "password": CHOSEN}),
            ("deactivate", {}),
            ("reactivate", {}),
        ):
            response = client.post(
                f"/users/{agent_id}/{action}",
                data={**data, "csrf_token": token},
                follow_redirects=False,
            )
            assert response.status_code == 403, (role, action, response.status_code)
    after = account(bo, AGENT)
    assert (after.display_name, after.role, after.active, after.password_hash) == (
        before.display_name,
        before.role,
        before.active,
        before.password_hash,
    )
    anonymous = TestClient(bo.app, base_url="http://127.0.0.1")
    token = page_csrf(anonymous.get("/login").text)
    refused = anonymous.post(
        f"/users/{agent_id}/deactivate", data={"csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 401 and account(bo, AGENT).active is True


def test_every_action_needs_the_csrf_token(bo: BackOffice) -> None:
    bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    assert bo.client.post(f"/users/{agent_id}/deactivate").status_code == 403
    wrong = bo.client.post(
        f"/users/{agent_id}/name", data={"display_name": "X", "csrf_token": "faux"}
    )
    assert wrong.status_code == 403
    user = account(bo, AGENT)
    assert user.active is True and user.display_name == "Alice Agent"


def test_rename_is_confirmed_once(bo: BackOffice) -> None:
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    done = bo.client.post(
        f"/users/{agent_id}/name",
        data={"display_name": "  Alice\x07   Martin ", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/users/{agent_id}"
    assert account(bo, AGENT).display_name == "Alice Martin"
    page = bo.client.get(done.headers["location"]).text
    assert flash(page).startswith(
        "Nom affiché changé : « Alice Agent » s'appelle désormais « Alice Martin »"
    )
    assert flash(bo.client.get(f"/users/{agent_id}").text) == ""  # shown once
    assert "Alice Martin" in bo.client.get("/users").text

    empty = bo.client.post(
        f"/users/{agent_id}/name", data={"display_name": " \x01 ", "csrf_token": csrf}
    )
    assert empty.status_code == 422
    assert flash(empty.text) == "Le nom affiché est vide : rien n'a été changé."
    assert account(bo, AGENT).display_name == "Alice Martin"


def test_generated_password_is_shown_once_and_ends_the_sessions(bo: BackOffice) -> None:
    phone, laptop = browser(bo, AGENT), browser(bo, AGENT)
    assert sessions_of(bo, AGENT) == 2
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    before = account(bo, AGENT).password_hash
    reset = bo.client.post(
        f"/users/{agent_id}/password", data={"mode": "generate", "csrf_token": csrf}
    )
    assert reset.status_code == 200
    assert reset.headers["cache-control"] == "no-store"
    shown = re.search(r'<code id="temporary-password">([^<]+)</code>', reset.text)
    assert shown is not None
    temporary = shown.group(1)
    assert re.fullmatch(r"([a-z]+-){4}\d\d", temporary)
    assert flash(reset.text).startswith("Mot de passe d'Alice Agent réinitialisé.")
    assert account(bo, AGENT).password_hash != before
    assert sessions_of(bo, AGENT) == 0
    assert logged_out(phone) and logged_out(laptop)
    assert temporary not in bo.client.get(f"/users/{agent_id}").text  # never shown again
    assert bo.try_login(AGENT, PASSWORD).status_code == 401  # the old password is dead
    assert bo.try_login(AGENT, temporary).status_code == 303


def test_chosen_password_must_pass_the_rule(bo: BackOffice) -> None:
    agent = browser(bo, AGENT)
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    before = account(bo, AGENT).password_hash
    weak = bo.client.post(
        f"/users/{agent_id}/password",
        data={"mode": "choose", "password": "1234567890", "csrf_token": csrf},
    )
    assert weak.status_code == 422
    assert flash(weak.text).startswith("Mot de passe trop facile à deviner.")
    assert flash(weak.text).endswith("Rien n'a été changé.")
    assert 'value="choose" checked' in weak.text  # the choice is kept
    named = bo.client.post(
        f"/users/{agent_id}/password",
        data={"mode": "choose", "password": "Alice Agent", "csrf_token": csrf},
    )
    assert named.status_code == 422
    assert account(bo, AGENT).password_hash == before and not logged_out(agent)

    done = bo.client.post(
        f"/users/{agent_id}/password",
        data={"mode": "choose", "password": CHOSEN, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = bo.client.get(done.headers["location"]).text
    assert flash(page).startswith(
        "Mot de passe d'Alice Agent réinitialisé avec celui que vous avez choisi. "
        "Ses sessions ouvertes ont été fermées"
    )
    assert CHOSEN not in page
    assert logged_out(agent)
    assert bo.try_login(AGENT, PASSWORD).status_code == 401
    assert bo.try_login(AGENT, CHOSEN).status_code == 303


def test_an_admin_changes_their_own_password_from_their_account(bo: BackOffice) -> None:
    csrf = bo.login(ADMIN)
    admin_id = bo.users[ADMIN]
    before = account(bo, ADMIN).password_hash
    refused = bo.client.post(
        f"/users/{admin_id}/password", data={"mode": "generate", "csrf_token": csrf}
    )
    assert refused.status_code == 409
    assert flash(refused.text).startswith(
        "Votre propre mot de passe se change depuis « Mon compte »"
    )
    assert "temporary-password" not in refused.text
    assert account(bo, ADMIN).password_hash == before
    assert bo.client.get("/inbox").status_code == 200  # still logged in


def test_deactivate_then_reactivate(bo: BackOffice) -> None:
    agent = browser(bo, AGENT)
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    done = bo.client.post(f"/users/{agent_id}/deactivate", data={"csrf_token": csrf})
    assert done.status_code == 200 and str(done.url).endswith(f"/users/{agent_id}")
    assert flash(done.text).startswith(
        "Compte d'Alice Agent désactivé. Ses sessions ouvertes ont été fermées"
    )
    assert "Réactiver le compte" in done.text
    assert account(bo, AGENT).active is False and sessions_of(bo, AGENT) == 0
    assert logged_out(agent)
    assert bo.try_login(AGENT, PASSWORD).status_code == 401
    listing = bo.client.get("/users").text
    assert re.search(
        r'<tr class="inactive">\s*<td data-label="Nom" class="name">Alice Agent', listing
    )

    again = bo.client.post(f"/users/{agent_id}/deactivate", data={"csrf_token": csrf})
    assert flash(again.text) == "Le compte d'Alice Agent était déjà désactivé."

    back = bo.client.post(f"/users/{agent_id}/reactivate", data={"csrf_token": csrf})
    assert flash(back.text).startswith("Compte d'Alice Agent réactivé")
    assert account(bo, AGENT).active is True
    assert logged_out(agent)  # reactivation brings no session back
    assert bo.try_login(AGENT, PASSWORD).status_code == 303


def test_an_admin_keeps_their_own_rights(bo: BackOffice) -> None:
    bo.add_user("bea@boutique.fr", "admin", "Béa Admin")  # not the last admin: only "self" applies
    csrf = bo.login(ADMIN)
    admin_id = bo.users[ADMIN]
    off = bo.client.post(f"/users/{admin_id}/deactivate", data={"csrf_token": csrf})
    assert off.status_code == 409
    assert flash(off.text).startswith("Vous ne pouvez pas désactiver votre propre compte")
    demoted = bo.client.post(f"/users/{admin_id}/role", data={"role": "agent", "csrf_token": csrf})
    assert demoted.status_code == 409
    assert flash(demoted.text) == "Vous ne pouvez pas retirer vos propres droits d'administrateur."
    me = account(bo, ADMIN)
    assert (me.role, me.active) == ("admin", True)
    page = bo.client.get(f"/users/{admin_id}").text
    assert "Désactiver le compte" not in page and "Changer le rôle" not in page


def test_role_change_is_confirmed(bo: BackOffice) -> None:
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    done = bo.client.post(f"/users/{agent_id}/role", data={"role": "editor", "csrf_token": csrf})
    assert flash(done.text) == "Rôle changé : Alice Agent est maintenant rédacteur."
    assert account(bo, AGENT).role == "editor"


def test_the_last_active_admin_stays(bo: BackOffice) -> None:
    """Two admins demoting each other at the same moment: both requests passed the role check,
    the second change must still be refused (the rule is in the UPDATE itself)."""
    bea_id = bo.add_user("bea@boutique.fr", "admin", "Béa Admin")
    with bo.db() as db:
        ada, bea = db.get(User, bo.users[ADMIN]), db.get(User, bea_id)
        assert ada is not None and bea is not None
        assert change_access(db, ada, bea, role="admin", active=False) is None
        assert change_access(db, bea, ada, role="agent", active=True) == LAST_ADMIN
        assert change_access(db, bea, ada, role="admin", active=False) == LAST_ADMIN
    assert (account(bo, ADMIN).role, account(bo, ADMIN).active) == ("admin", True)
    assert account(bo, "bea@boutique.fr").active is False

    csrf = bo.login(ADMIN)  # the page says so before anyone tries
    page = bo.client.get(f"/users/{bo.users[ADMIN]}").text
    assert "Désactiver le compte" not in page
    back = bo.client.post(f"/users/{bea_id}/reactivate", data={"csrf_token": csrf})
    assert flash(back.text).startswith("Compte de Béa Admin réactivé")
    gone = bo.client.post(f"/users/{bea_id}/deactivate", data={"csrf_token": csrf})
    assert gone.status_code == 200 and account(bo, "bea@boutique.fr").active is False


def test_the_former_table_form_follows_the_same_rules(bo: BackOffice) -> None:
    agent = browser(bo, AGENT)
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    done = bo.client.post(f"/users/{agent_id}", data={"role": "editor", "csrf_token": csrf})
    assert done.status_code == 200 and str(done.url).endswith("/users")
    assert flash(done.text) == "Compte d'Alice Agent : rédacteur, désactivé (sessions fermées)."
    assert logged_out(agent)
    own = bo.client.post(
        f"/users/{bo.users[ADMIN]}", data={"role": "agent", "active": "1", "csrf_token": csrf}
    )
    assert own.status_code == 409
    assert flash(own.text) == "Vous ne pouvez pas retirer vos propres droits d'administrateur."


def test_creation_is_confirmed(bo: BackOffice) -> None:
    csrf = bo.login(ADMIN)
    done = bo.client.post(
        "/users",
        data={
            "email": "Nadia@Boutique.fr",
            "display_name": "Nadia",
            "role": "editor",
            "password": CHOSEN,
            "csrf_token": csrf,
        },
    )
    assert done.status_code == 200
    assert flash(done.text).startswith("Compte créé pour Nadia (nadia@boutique.fr), rédacteur.")


def test_generated_passwords() -> None:
    assert len(set(WORDS)) == len(WORDS) >= 256
    assert all(re.fullmatch(r"[a-z]+", w) for w in WORDS)
    made = {generate_password(email="olive@boutique.fr", name="Olive Sapin") for _ in range(30)}
    assert len(made) == 30
    for password in made:
        words = password.split("-")[:4]
        assert len(set(words)) == 4 and "olive" not in words and "sapin" not in words
        assert password_problem(password, email="olive@boutique.fr", name="Olive Sapin") is None


def test_pages_have_no_inline_script_or_style(bo: BackOffice) -> None:
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    pages = {
        "list": bo.client.get("/users").text,
        "manage": bo.client.get(f"/users/{agent_id}").text,
        "own": bo.client.get(f"/users/{bo.users[ADMIN]}").text,
        "generated": bo.client.post(
            f"/users/{agent_id}/password", data={"mode": "generate", "csrf_token": csrf}
        ).text,
    }
    for name, page in pages.items():
        assert '<link rel="stylesheet" href="/static/users.css">' in page, name
        assert '<script src="/static/users.js" defer></script>' in page, name
        for pattern, what in INLINE:
            assert re.search(pattern, page) is None, (name, what)
    for asset in ("/static/users.css", "/static/users.js"):
        assert bo.client.get(asset).status_code == 200


def test_after_a_reset_the_colleague_chooses_a_new_password_first(bo: BackOffice) -> None:
    csrf = bo.login(ADMIN)
    agent_id = bo.users[AGENT]
    bo.client.post(
        f"/users/{agent_id}/password",
        data={"mode": "choose", "password": CHOSEN, "csrf_token": csrf},
    )
    assert account(bo, AGENT).must_change_password is True
    colleague = TestClient(bo.app, base_url="http://127.0.0.1")
    logged_in = bo.try_login(AGENT, CHOSEN, client=colleague)
    assert logged_in.status_code == 303 and logged_in.headers["location"] == "/account"
    inbox = colleague.get("/inbox", headers={"accept": "text/html"}, follow_redirects=False)
    assert inbox.status_code == 303 and inbox.headers["location"] == "/account"
    assert colleague.get("/inbox/queue", follow_redirects=False).status_code == 403
    page = colleague.get("/account").text
    assert "Un administrateur a réinitialisé votre mot de passe" in html.unescape(page)
    changed = colleague.post(
        "/account/password",
        data={
            "current_password": CHOSEN,
            "new_password": "zebre-tamis-volcan-81",
            "confirm_password": "zebre-tamis-volcan-81",
            "csrf_token": page_csrf(page),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert account(bo, AGENT).must_change_password is False
    assert colleague.get("/inbox").status_code == 200
