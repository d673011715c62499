"""No default secrets (row 6 of the security review) and no secret on a command line (row 8):
every secret is made on first use, kept in var/ with mode 600, and handed to Rasa in-process."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from bot.core import shared_secrets
from bot.rasa.__main__ import rasa_argv
from bot.settings import Settings


def test_a_missing_secret_is_made_once_private_and_random(tmp_path: Path):
    values = set()
    barrier = threading.Barrier(8)

    def make() -> None:
        barrier.wait()
        values.add(shared_secrets.secret_file("shop_api_key", tmp_path))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(values) == 1  # processes starting together agree on one value
    value = values.pop()
    assert len(value) >= 40 and value != "demo-shop-key"
    assert stat.S_IMODE((tmp_path / "shop_api_key").stat().st_mode) == 0o600
    assert shared_secrets.secret_file("shop_api_key", tmp_path) == value
    assert shared_secrets.secret_file("shop_label_secret", tmp_path) != value
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_settings_have_no_default_shop_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("COMPTOIR_SHOP_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    settings = Settings()
    assert settings.shop_api_key == "" and settings.shop_label_secret == ""
    monkeypatch.setattr(shared_secrets, "VAR", tmp_path)
    monkeypatch.setattr(
        "bot.settings.secret_file", lambda name: shared_secrets.secret_file(name, tmp_path)
    )
    key = settings.secret("shop_api_key")
    assert key == (tmp_path / "shop_api_key").read_text().strip() != "demo-shop-key"


def test_an_environment_variable_wins(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COMPTOIR_ACTION_TOKEN", "from-the-vault")
    assert shared_secrets.read_secret("action_token") == "from-the-vault"


def test_the_rasa_launcher_never_puts_the_token_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
):
    assert rasa_argv(["run", "--enable-api", "--port", "6000"], "t0ken") == [
        "rasa",
        "run",
        "--enable-api",
        "--port",
        "6000",
        "--auth-token",
        "t0ken",
    ]  # set in-process, after exec
    monkeypatch.setenv("COMPTOIR_RASA_PORT", "6006")
    assert rasa_argv(["run"], "t0ken") == ["rasa", "run", "--port", "6006", "--auth-token", "t0ken"]
    assert rasa_argv(["data", "validate"], "t0ken") == ["rasa", "data", "validate"]
    for given in (["run", "--auth-token", "x"], ["run", "--auth-token=x"]):
        with pytest.raises(SystemExit, match="COMPTOIR_RASA_TOKEN"):
            rasa_argv(given, "t0ken")


def test_the_procfile_passes_no_secret_on_a_command_line():
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    assert "--auth-token" not in procfile and "token=" not in procfile.lower()
    assert "rasa_sdk" not in procfile  # the guarded action server, not rasa-sdk's own
