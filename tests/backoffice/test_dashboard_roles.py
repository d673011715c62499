"""The `manager` role: `make user ROLE=manager` (python -m bot.backoffice create-user) makes one,
and it opens the dashboard and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.backoffice.db import User, make_engine, make_sessionmaker
from bot.backoffice.security import MANAGER_ROLES

from .test_cli import in_process


def test_create_user_with_the_manager_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert in_process(["migrate"], url, "", monkeypatch, capsys)[0] == 0
    args = ["create-user", "--email", "gerante@boutique.fr", "--name", "Olivia", "--role"]
    code, out = in_process(
        [*args, "manager", "--password-stdin"], url, "un-mot-de-passe-solide\n", monkeypatch, capsys
    )
    assert code == 0, out
    with make_sessionmaker(make_engine(url))() as db:
        user = db.scalar(select(User).where(User.email == "gerante@boutique.fr"))
    assert user is not None and user.role == "manager"
    assert MANAGER_ROLES == ("manager", "admin")
