"""Files only their owner can read: the umask every process sets at start-up, the files an
older version left 0644, SQLite URLs, and the secrets."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import private_files, shared_secrets
from bot.core.private_files import private_umask, sqlite_file, tighten

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def restored_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_new_files_and_folders_are_private(tmp_path: Path, restored_umask: None) -> None:
    assert private_umask(folder=None) == 0o022
    (tmp_path / "feedback.jsonl").write_text("{}\n")
    (tmp_path / "sub").mkdir()
    fd = os.open(tmp_path / "asked_0666.db", os.O_CREAT | os.O_WRONLY, 0o666)
    os.close(fd)
    assert mode(tmp_path / "feedback.jsonl") == 0o600
    assert mode(tmp_path / "asked_0666.db") == 0o600
    assert mode(tmp_path / "sub") == 0o700


def test_what_an_older_version_left_readable_is_tightened(
    tmp_path: Path, restored_umask: None
) -> None:
    var, elsewhere = tmp_path / "var", tmp_path / "elsewhere"
    var.mkdir()
    elsewhere.mkdir()
    old = {var / "shop.db": 0o644, var / "service_token": 0o640, var / "run.sh": 0o755}
    old |= {elsewhere / "tracker.db": 0o644, elsewhere / "tracker.db-wal": 0o644}
    old |= {elsewhere / "other.txt": 0o644, var / "already.db": 0o600}
    for path, wide in old.items():
        path.write_text("x")
        path.chmod(wide)
    (var / "folder").mkdir(mode=0o755)
    (var / "link").symlink_to(elsewhere / "other.txt")

    private_umask(f"sqlite:///{elsewhere / 'tracker.db'}", None, "", folder=var)

    assert mode(var / "shop.db") == mode(var / "service_token") == 0o600
    assert mode(var / "run.sh") == 0o700  # the owner keeps what it had
    assert mode(elsewhere / "tracker.db") == mode(elsewhere / "tracker.db-wal") == 0o600
    assert mode(var / "already.db") == 0o600
    assert mode(elsewhere / "other.txt") == 0o644  # neither named nor in var/, nor via a link
    assert mode(var / "folder") == 0o755  # folders in var/ are not rewritten


def test_tighten_says_what_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_text("x")
    path.chmod(0o644)
    assert tighten(path) is True and mode(path) == 0o600
    assert tighten(path) is False
    assert tighten(tmp_path / "missing.db") is False
    assert tighten("postgresql+psycopg://u@h/db") is False


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/shop.db", Path("var/shop.db")),
        ("sqlite:////tmp/x/tracker.db", Path("/tmp/x/tracker.db")),
        ("sqlite+pysqlite:////tmp/a.db?timeout=5", Path("/tmp/a.db")),
        ("/srv/comptoir/tracker.db", Path("/srv/comptoir/tracker.db")),
        (Path("var/faq_feedback.jsonl"), Path("var/faq_feedback.jsonl")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql+psycopg://comptoir@127.0.0.1:5432/comptoir", None),
        ("", None),
        (None, None),
    ],
)
def test_sqlite_file(given: object, expected: Path | None) -> None:
    assert sqlite_file(given) == expected  # type: ignore[arg-type]


def test_secrets_are_0600_even_when_found_wider(tmp_path: Path, restored_umask: None) -> None:
    value = shared_secrets.secret_file("service_token", tmp_path)
    assert mode(tmp_path / "service_token") == 0o600
    (tmp_path / "service_token").chmod(0o644)
    assert shared_secrets.secret_file("service_token", tmp_path) == value
    assert mode(tmp_path / "service_token") == 0o600


@pytest.mark.parametrize(
    "entry_point",
    [
        "bot/backoffice/__main__.py",
        "bot/demo_shop/__main__.py",
        "bot/web/__main__.py",
        "bot/action_server/server.py",
        "bot/rasa/__main__.py",
        "bot/core/shared_secrets.py",
    ],
)
def test_every_process_sets_it_at_start_up(entry_point: str) -> None:
    assert "private_umask(" in (ROOT / entry_point).read_text()


def test_var_is_the_projects() -> None:
    assert private_files.VAR == shared_secrets.VAR == ROOT / "var"
