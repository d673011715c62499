"""Login, roles on every route, CSRF, the service token."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from starlette.routing import Mount

from .conftest import SERVICE_TOKEN, BackOffice, page_csrf

# Who may use each part of the back office. A route outside these prefixes fails the
# enumeration test below, so a new route cannot escape the access check unnoticed.
ROLE_PREFIXES = {
    "/inbox": {"agent", "admin"},
    "/canned": {"agent", "admin"},
    "/faq": {"editor", "admin"},
    "/users": {"admin"},
    "/privacy": {"admin"},
    "/account": {"agent", "editor", "manager", "admin"},
    "/dashboard": {"manager", "admin"},
    "/dashboard.json": {"manager", "admin"},
    "/dashboard.csv": {"manager", "admin"},
    "/photos": {"agent", "admin"},  # or a signed link (test_attachments.py)
    "/unanswered": {"editor", "admin"},
}
PUBLIC = {"/login", "/healthz", "/", "/logout"}  # "/" only redirects; logout needs CSRF
# The shopper's widget: no login, a signed conversation id instead (test_attachments.py).
SHOPPER_ROUTES = {"/api/attachments"}
SERVICE_PREFIX = "/api/"


def concrete(path: str) -> str:
    path = path.replace("{handoff_id}", "1").replace("{user_id}", "1").replace("{reply_id}", "1")
    return re.sub(r"\{[^}]+\}", "gift.wrapping", path)


def routes(bo: BackOffice) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, included routers flattened (FastAPI ≥ 0.16x keeps
    included routers as one entry of app.routes; iter_route_contexts walks them)."""
    found = []
    for context in iter_route_contexts(bo.app.routes):
        route = context.original_route
        if isinstance(route, Mount):
            assert route.path == "/static", f"unexpected mount {route.path}"
            continue
        assert isinstance(route, APIRoute), f"unexpected route type {route!r}"
        assert context.path and context.methods
        for method in sorted(context.methods):
            found.append((method, context.path))
    return found


def test_login_ok_and_bad_password(bo: BackOffice) -> None:
    csrf = page_csrf(bo.client.get("/login").text)
    bad = bo.client.post(
        "/login",
        data={"email": "agent@boutique.fr", "password": "faux", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert bad.status_code == 401
    assert "E-mail ou mot de passe incorrect" in bad.text
    unknown = bo.client.post(
        "/login",
        data={"email": "nobody@boutique.fr", "password": "x", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert unknown.status_code == 401
    assert bo.client.get("/inbox", follow_redirects=False).status_code in (303, 401)

    ok = bo.client.post(
        "/login",
        data={"email": "Agent@Boutique.fr ", "password": "mot-de-passe-solide", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/inbox"
    cookie = ok.headers["set-cookie"].lower()
    assert cookie.startswith("comptoir_backoffice=")
    assert "samesite=lax" in cookie and "httponly" in cookie
    page = bo.client.get("/inbox")
    assert page.status_code == 200 and "Alice Agent" in page.text


def test_logout_and_deactivated_user(bo: BackOffice) -> None:
    csrf = bo.login("agent@boutique.fr")
    assert (
        bo.client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert (
        bo.client.get("/inbox", headers={"accept": "text/html"}, follow_redirects=False)
        .headers["location"]
        .startswith("/login")
    )
    bo.login("agent@boutique.fr")
    with bo.db() as db:
        from bot.backoffice.db import User

        db.get(User, bo.users["agent@boutique.fr"]).active = False
        db.commit()
    assert bo.client.get("/inbox", follow_redirects=False).status_code in (303, 401)
    csrf = page_csrf(bo.client.get("/login").text)
    refused = bo.client.post(
        "/login",
        data={"email": "agent@boutique.fr", "password": "mot-de-passe-solide", "csrf_token": csrf},
    )
    assert refused.status_code == 401


def test_login_redirect_stays_local(bo: BackOffice) -> None:
    csrf = page_csrf(bo.client.get("/login").text)
    response = bo.client.post(
        "/login",
        data={
            "email": "agent@boutique.fr",
            "password": "mot-de-passe-solide",
            "csrf_token": csrf,
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/inbox"


def test_every_route_requires_login_and_the_right_role(bo: BackOffice) -> None:
    table = routes(bo)
    assert len(table) > 15
    anonymous = TestClient(bo.app, base_url="http://127.0.0.1")
    csrf = page_csrf(anonymous.get("/login").text)  # a valid token: only the login is missing
    checked = 0
    for method, path in table:
        url = concrete(path)
        if path in PUBLIC or path in SHOPPER_ROUTES:
            continue
        if path.startswith(SERVICE_PREFIX):
            response = anonymous.request(method, url, json={})
            assert response.status_code == 401, (method, path)
            wrong = anonymous.request(
                method, url, json={}, headers={"Authorization": "Bearer wrong"}
            )
            assert wrong.status_code == 401, (method, path)
            checked += 1
            continue
        prefix = next((p for p in ROLE_PREFIXES if path == p or path.startswith(p + "/")), None)
        assert prefix is not None, f"{method} {path} is in no access table: add it"
        response = anonymous.request(
            method,
            url,
            headers={"X-CSRF-Token": csrf, "accept": "text/html"},
            follow_redirects=False,
        )
        if response.status_code == 303:
            assert response.headers["location"].startswith("/login"), (method, path)
        else:
            assert response.status_code == 401, (method, path, response.status_code)
        checked += 1
    assert checked >= 15

    for role in ("agent", "editor", "manager", "admin"):
        client = TestClient(bo.app, base_url="http://127.0.0.1")
        token = bo.login(f"{role}@boutique.fr", client=client)
        for method, path in table:
            prefix = next((p for p in ROLE_PREFIXES if path == p or path.startswith(p + "/")), None)
            if prefix is None or role in ROLE_PREFIXES[prefix]:
                continue
            response = client.request(
                method, concrete(path), headers={"X-CSRF-Token": token}, follow_redirects=False
            )
            assert response.status_code == 403, (role, method, path, response.status_code)


def test_public_routes(bo: BackOffice) -> None:
    assert bo.client.get("/healthz").json() == {"status": "ok"}
    assert bo.client.get("/static/htmx.min.js").status_code == 200
    assert bo.client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_csrf_missing_or_wrong_is_403(bo: BackOffice) -> None:
    bo.login("admin@boutique.fr")
    form = {
        "email": "new@boutique.fr",
        "display_name": "New",
        "role": "agent",
        "password": "un-mot-de-passe-long",
    }
    assert bo.client.post("/users", data=form).status_code == 403
    assert bo.client.post("/users", data={**form, "csrf_token": "faux"}).status_code == 403
    assert bo.client.post("/users", data=form, headers={"X-CSRF-Token": "faux"}).status_code == 403
    # the login form itself is protected too
    assert bo.client.post("/login", data={"email": "a@b.fr", "password": "x"}).status_code == 403
    handoff = bo.handoff()
    assert bo.client.post(f"/inbox/{handoff['id']}/resolve").status_code == 403
    assert bo.rasa.triggers() == []


def test_service_api_needs_the_bearer_token(bo: BackOffice) -> None:
    payload = {"conversation_id": "c", "reason": "asked"}
    assert bo.client.post("/api/handoffs", json=payload).status_code == 401
    assert (
        bo.client.post(
            "/api/handoffs", json=payload, headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )
    assert (
        bo.client.post(
            "/api/handoffs", json=payload, headers={"Authorization": SERVICE_TOKEN}
        ).status_code
        == 401
    )
    assert (
        bo.client.post(
            "/api/handoffs", json=payload, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}
        ).status_code
        == 201
    )


def test_admin_manages_users(bo: BackOffice) -> None:
    csrf = bo.login("admin@boutique.fr")
    created = bo.client.post(
        "/users",
        data={
            "email": "Nadia@Boutique.fr",
            "display_name": "Nadia",
            "role": "editor",
            "password": "un-mot-de-passe-long",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = bo.client.get("/users").text
    assert "nadia@boutique.fr" in page
    other = TestClient(bo.app, base_url="http://127.0.0.1")
    bo.login("nadia@boutique.fr", password="un-mot-de-passe-long", client=other)
    assert other.get("/faq").status_code == 200
    with bo.db() as db:
        from sqlalchemy import select

        from bot.backoffice.db import User

        nadia = db.scalar(select(User).where(User.email == "nadia@boutique.fr"))
        assert nadia is not None and nadia.password_hash.startswith("$argon2")
        nadia_id = nadia.id
    bo.client.post(f"/users/{nadia_id}", data={"role": "agent", "csrf_token": csrf})
    assert other.get("/faq", follow_redirects=False).status_code in (303, 401)  # deactivated
    own = bo.client.post(
        f"/users/{bo.users['admin@boutique.fr']}",
        data={"role": "agent", "active": "1", "csrf_token": csrf},
    )
    assert own.status_code == 409
