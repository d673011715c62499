"""Rasa refuses to start a channel that is configured without its secrets (checked in the Rasa
environment, where the connectors are importable)."""

from __future__ import annotations

import json
import os
import subprocess

from bot.settings import ROOT
from tests.channels.conftest import RASA_PYTHON

PROBE = r"""
import json
from bot.rasa.channels.messenger import MessengerInput
from bot.rasa.channels.telegram import TelegramInput

cases = {
    "telegram ok": (TelegramInput, {"access_token": "1:a", "secret_token": "s3cret_-"}),
    "telegram no secret": (TelegramInput, {"access_token": "1:a"}),
    "telegram bad secret": (TelegramInput, {"access_token": "1:a", "secret_token": "a b"}),
    "telegram no token": (TelegramInput, {"secret_token": "s3cret"}),
    "messenger ok": (MessengerInput, {"verify": "v", "secret": "s", "page-access-token": "p",
                                      "graph_url": "http://127.0.0.1:1", "api_version": "19.0"}),
    "messenger no secret": (MessengerInput, {"verify": "v", "page-access-token": "p"}),
    "messenger nothing": (MessengerInput, None),
}
result = {}
for name, (cls, credentials) in cases.items():
    try:
        channel = cls.from_credentials(credentials)
    except Exception as error:
        result[name] = "error: " + str(error)
    else:
        result[name] = "ok " + (getattr(channel.get_output_channel(), "messenger_client", None)
                                and channel.get_output_channel().messenger_client.graph_url
                                or channel.base_url)
print(json.dumps(result))
"""


def test_channels_refuse_to_start_without_their_secrets():
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["telegram ok"] == "ok https://api.telegram.org/bot"
    assert "secret_token" in result["telegram no secret"]
    assert "secret_token" in result["telegram bad secret"]
    assert "access_token" in result["telegram no token"]
    assert result["messenger ok"] == "ok http://127.0.0.1:1/v19.0"
    assert result["messenger no secret"].startswith("error: Messenger channel: empty secret")
    assert "empty verify, secret, page-access-token" in result["messenger nothing"]
