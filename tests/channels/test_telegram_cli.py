"""`python -m bot.rasa.channels.telegram set-webhook URL`, run in the Rasa environment against the
Bot API stand-in."""

from __future__ import annotations

import os
import subprocess

from bot.settings import ROOT
from tests.channels.conftest import RASA_PYTHON, TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.channels.standins import BotApi


def cli(bot_api: BotApi, *args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "COMPTOIR_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "COMPTOIR_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "COMPTOIR_TELEGRAM_API_URL": bot_api.base_url,
        **env,
    }
    return subprocess.run(
        [str(RASA_PYTHON), "-m", "bot.rasa.channels.telegram", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_set_webhook_registers_the_url_with_the_secret(bot_api):
    done = cli(bot_api, "set-webhook", "https://boutique.example.org/")
    assert done.returncode == 0, done.stderr
    url = "https://boutique.example.org/webhooks/telegram/webhook"
    assert bot_api.webhook == {
        "url": url,
        "secret_token": TELEGRAM_SECRET,
        "allowed_updates": ["message", "callback_query"],
        "drop_pending_updates": False,
    }
    assert "Bot @comptoir_test_bot" in done.stdout and f"Webhook set: {url}" in done.stdout
    assert f"Telegram sends updates to: {url}" in done.stdout
    assert TELEGRAM_TOKEN not in done.stdout + done.stderr

    done = cli(bot_api, "delete-webhook")
    assert done.returncode == 0 and bot_api.webhook == {}
    assert "Telegram sends updates to: (no webhook)" in done.stdout


def test_set_webhook_refuses_bad_settings_before_calling_telegram(bot_api):
    calls = len(bot_api.calls)
    done = cli(bot_api, "set-webhook", "http://boutique.example.org")
    assert done.returncode == 2 and "HTTPS" in done.stderr
    done = cli(bot_api, "set-webhook", "https://boutique.example.org", COMPTOIR_TELEGRAM_SECRET="")
    assert done.returncode == 2 and "COMPTOIR_TELEGRAM_SECRET" in done.stderr
    done = cli(bot_api, "webhook-info", COMPTOIR_TELEGRAM_TOKEN="")
    assert done.returncode == 2 and "COMPTOIR_TELEGRAM_TOKEN" in done.stderr
    assert len(bot_api.calls) == calls


def test_a_refused_token_is_said_without_printing_it(bot_api):
    done = cli(bot_api, "webhook-info", COMPTOIR_TELEGRAM_TOKEN="999:not-the-token")
    assert done.returncode == 1
    assert "Telegram refused the token" in done.stderr
    assert "not-the-token" not in done.stdout + done.stderr
