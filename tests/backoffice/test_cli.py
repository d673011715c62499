"""python -m bot.backoffice create-user / migrate."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.backoffice.__main__ import main
from bot.backoffice.db import User, make_engine, make_sessionmaker
from bot.backoffice.security import check_password
from bot.settings import ROOT, get_settings

from .conftest import head_revision


def run(args: list[str], db_url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMPTOIR_BACKOFFICE_DB_URL": db_url}
    return subprocess.run(
        [sys.executable, "-m", "bot.backoffice", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def in_process(
    args: list[str],
    db_url: str,
    stdin: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> tuple[int, str]:
    """The same entry point without a subprocess (each one costs seconds of imports)."""
    monkeypatch.setenv("COMPTOIR_BACKOFFICE_DB_URL", db_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    get_settings.cache_clear()
    try:
        code = main(args)
    except SystemExit as stop:
        code = 1 if isinstance(stop.code, str) else int(stop.code or 0)
        print(stop.code if isinstance(stop.code, str) else "", file=sys.stderr)
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_migrate_and_create_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code, out = in_process(["migrate"], url, "", monkeypatch, capsys)
    assert code == 0 and "Base à jour" in out
    with create_engine(url).connect() as connection:
        assert (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == head_revision()
        )
    created = run(
        [
            "create-user",
            "--email",
            "Alice@Boutique.fr",
            "--name",
            "Alice",
            "--role",
            "admin",
            "--password-stdin",
        ],
        url,
        "un-mot-de-passe-solide\n",
    )
    assert created.returncode == 0, created.stderr
    assert "alice@boutique.fr" in created.stdout
    with make_sessionmaker(make_engine(url))() as db:
        [user] = db.query(User).all()
        assert (user.email, user.display_name, user.role, user.active) == (
            "alice@boutique.fr",
            "Alice",
            "admin",
            True,
        )
        assert user.password_hash.startswith("$argon2id$")
        assert check_password(user, "un-mot-de-passe-solide")
    code, out = in_process(
        [
            "create-user",
            "--email",
            "alice@boutique.fr",
            "--name",
            "A",
            "--role",
            "agent",
            "--password-stdin",
        ],
        url,
        "un-mot-de-passe-solide\n",
        monkeypatch,
        capsys,
    )
    assert code != 0 and "existe déjà" in out
    code, out = in_process(
        ["create-user", "--email", "bob@boutique.fr", "--name", "Bob", "--password-stdin"],
        url,
        "court\n",
        monkeypatch,
        capsys,
    )
    assert code != 0 and "trop court" in out


def test_a_piped_password_is_read_without_the_flag(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`echo … | make user EMAIL=…` crashed in getpass (issue 19, defect 9)."""
    url = f"sqlite:///{tmp_path / 'piped.db'}"
    code, out = in_process(
        ["create-user", "--email", "carla@boutique.fr", "--name", "Carla", "--role", "agent"],
        url,
        "un-mot-de-passe-solide\n",
        monkeypatch,
        capsys,
    )
    assert code == 0, out
    with make_sessionmaker(make_engine(url))() as db:
        [user] = db.query(User).all()
        assert user.email == "carla@boutique.fr" and check_password(user, "un-mot-de-passe-solide")
