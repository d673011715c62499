"""The password rule (zxcvbn score ≥ 3, in French) wherever a password is set."""

from __future__ import annotations

import ast
import inspect

import pytest
import zxcvbn.feedback
from sqlalchemy import select

from bot.backoffice.db import User
from bot.backoffice.passwords import FRENCH, password_problem

from .conftest import PASSWORD, BackOffice
from .test_cli import in_process

EMAIL, NAME = "nadia.benali@boutique.fr", "Nadia Benali"


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("court", "trop court : 10 caractères au moins"),
        ("aaaaaaaaaa", "répétitions comme « aaa »"),
        ("1234567890", "mots de passe les plus courants"),
        ("azertyuiop", "mot de passe très courant"),
        ("qwertyuiop", "mots de passe les plus courants"),
        ("motdepasse123", "« motdepasse »"),
        ("abcdefghijkl", "suites comme « abc »"),
        ("Comptoir2024!", "« comptoir »"),
        (EMAIL, "ne doit pas être votre e-mail ni votre nom"),
        ("Nadia Benali", "ne doit pas être votre e-mail ni votre nom"),
        ("nadia.benali1", "votre e-mail ou votre nom"),
    ],
)
def test_weak_passwords_are_refused_with_a_french_reason(password: str, why: str) -> None:
    problem = password_problem(password, email=EMAIL, name=NAME)
    assert problem is not None and why in problem, problem


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "cheval-tulipe-nuage",
        "un-mot-de-passe-long",
        "motdepasse-e2e-1",  # what the end-to-end tests create their accounts with
    ],
)
def test_hard_to_guess_passwords_pass(password: str) -> None:
    assert password_problem(password, email=EMAIL, name=NAME) is None


def test_every_zxcvbn_message_has_a_french_translation() -> None:
    """A zxcvbn upgrade that adds a message must add its translation too."""
    tree = ast.parse(inspect.getsource(zxcvbn.feedback))
    messages = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_"
    }
    assert len(messages) > 20 and messages <= set(FRENCH)


@pytest.mark.integration  # the back office with its knowledge base: seconds to build
def test_the_users_page_refuses_a_weak_password(bo: BackOffice) -> None:
    csrf = bo.login("admin@boutique.fr")
    form = {"email": EMAIL, "display_name": NAME, "role": "editor", "csrf_token": csrf}
    refused = bo.client.post("/users", data={**form, "password": "1234567890"})
    assert refused.status_code == 422
    assert "Mot de passe trop facile à deviner" in refused.text
    assert f'value="{EMAIL}"' in refused.text  # the form is kept
    with bo.db() as db:
        assert db.scalar(select(User).where(User.email == EMAIL)) is None
    created = bo.client.post(
        "/users", data={**form, "password": "cheval-tulipe-nuage"}, follow_redirects=False
    )
    assert created.status_code == 303


def test_the_command_line_refuses_a_weak_password(
    bo: BackOffice, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(bo.app.state.settings.backoffice_db_url)
    args = ["create-user", "--email", EMAIL, "--name", NAME, "--password-stdin"]
    code, out = in_process(args, url, "azertyuiop\n", monkeypatch, capsys)
    assert code != 0 and "Mot de passe trop facile à deviner" in out
    code, out = in_process(args, url, "cheval-tulipe-nuage\n", monkeypatch, capsys)
    assert code == 0 and EMAIL in out
