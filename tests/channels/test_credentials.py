"""`python -m bot.rasa.channels.credentials`: the channels whose variables are set, and only those,
are added to Rasa's credentials file, as ${VAR} placeholders (never the secrets themselves)."""

from __future__ import annotations

import subprocess
import sys

import yaml

from bot.rasa.channels import credentials
from bot.settings import ROOT

BASE = (ROOT / "credentials.yml").read_text()
TELEGRAM = {"COMPTOIR_TELEGRAM_TOKEN": "123:abc", "COMPTOIR_TELEGRAM_SECRET": "s3cret_-x"}
MESSENGER = {
    "COMPTOIR_MESSENGER_PAGE_TOKEN": "EAAGpagetoken42",
    "COMPTOIR_MESSENGER_APP_SECRET": "appsecret42",
    "COMPTOIR_MESSENGER_VERIFY_TOKEN": "verifytoken42",
}


def test_nothing_configured_keeps_the_base_file():
    text, status, errors = credentials.render(BASE, {})
    assert text == BASE and errors == []
    assert status == [
        "Telegram: off (set COMPTOIR_TELEGRAM_TOKEN to enable it)",
        "Messenger: off (set COMPTOIR_MESSENGER_PAGE_TOKEN to enable it)",
    ]


def test_configured_channels_are_added_with_placeholders_only():
    env = {**TELEGRAM, **MESSENGER, "COMPTOIR_MESSENGER_GRAPH_URL": "http://127.0.0.1:9"}
    text, status, errors = credentials.render(BASE, env)
    assert errors == []
    assert status == [
        "Telegram: on (webhook /webhooks/telegram/webhook)",
        "Messenger: on (webhook /webhooks/facebook/webhook)",
    ]
    loaded = yaml.safe_load(text)
    base = yaml.safe_load((ROOT / "credentials.yml").read_text())
    assert set(base) <= set(loaded)  # the base channels (REST, socket.io) are kept
    assert loaded["bot.rasa.channels.telegram.TelegramInput"] == {
        "access_token": "${COMPTOIR_TELEGRAM_TOKEN}",
        "secret_token": "${COMPTOIR_TELEGRAM_SECRET}",
    }
    assert loaded["bot.rasa.channels.messenger.MessengerInput"] == {
        "verify": "${COMPTOIR_MESSENGER_VERIFY_TOKEN}",
        "secret": "${COMPTOIR_MESSENGER_APP_SECRET}",
        "page-access-token": "${COMPTOIR_MESSENGER_PAGE_TOKEN}",
        "graph_url": "${COMPTOIR_MESSENGER_GRAPH_URL}",
    }
    for secret in (*TELEGRAM.values(), *MESSENGER.values()):
        assert secret not in text


def test_half_configured_channels_are_errors():
    _, _, errors = credentials.render(
        BASE, {"COMPTOIR_TELEGRAM_TOKEN": "123:abc", "COMPTOIR_MESSENGER_PAGE_TOKEN": "EAAG"}
    )
    assert errors == [
        "Telegram: COMPTOIR_TELEGRAM_TOKEN is set but COMPTOIR_TELEGRAM_SECRET is not",
        "Messenger: COMPTOIR_MESSENGER_PAGE_TOKEN is set but COMPTOIR_MESSENGER_VERIFY_TOKEN, "
        "COMPTOIR_MESSENGER_APP_SECRET are not",
    ]
    _, _, errors = credentials.render(BASE, {**TELEGRAM, "COMPTOIR_TELEGRAM_SECRET": "a b"})
    assert errors and "A-Z a-z 0-9 _ -" in errors[0]


def test_command_writes_the_file_from_the_environment(tmp_path):
    out = tmp_path / "var" / "credentials.yml"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **TELEGRAM}
    done = subprocess.run(
        [sys.executable, "-m", "bot.rasa.channels.credentials", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "credentials: Telegram: on" in done.stdout
    assert "credentials: Messenger: off" in done.stdout
    assert "bot.rasa.channels.telegram.TelegramInput" in yaml.safe_load(out.read_text())
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind

    del env["COMPTOIR_TELEGRAM_SECRET"]
    done = subprocess.run(
        [sys.executable, "-m", "bot.rasa.channels.credentials", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "COMPTOIR_TELEGRAM_SECRET is not" in done.stderr
    assert "bot.rasa.channels.telegram.TelegramInput" in out.read_text()  # previous file untouched
