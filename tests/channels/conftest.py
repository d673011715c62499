"""A real stack (demo shop, action server, Rasa) with the Telegram and Messenger channels
switched on, talking to local stand-ins of the Bot API and the Graph API."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from bot.settings import ROOT
from bot.tools.processes import procfile
from tests.channels.standins import BotApi, GraphApi
from tests.stack import Stack, read_demo_orders, running, stack_env

RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
TELEGRAM_TOKEN = "4242424242:AAE-stand-in-token_for-tests"
TELEGRAM_SECRET = "stand-in_secret-Token_42"
FB_PAGE_TOKEN = "EAAG-stand-in-page-token"
FB_APP_SECRET = "stand-in-app-secret"
FB_VERIFY_TOKEN = "stand-in-verify-token"
RASA_TOKEN = "channels-secret-token"
_ids = itertools.count(7_000_000)


def next_id() -> int:
    return next(_ids)


def channel_env(bot_api: BotApi, graph_api: GraphApi) -> dict[str, str]:
    return {
        "COMPTOIR_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "COMPTOIR_TELEGRAM_SECRET": TELEGRAM_SECRET,
        "COMPTOIR_TELEGRAM_API_URL": bot_api.base_url,
        "COMPTOIR_MESSENGER_PAGE_TOKEN": FB_PAGE_TOKEN,
        "COMPTOIR_MESSENGER_APP_SECRET": FB_APP_SECRET,
        "COMPTOIR_MESSENGER_VERIFY_TOKEN": FB_VERIFY_TOKEN,
        "COMPTOIR_MESSENGER_GRAPH_URL": graph_api.url,
    }


def write_credentials(env: dict[str, str], out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RASA_PYTHON), "-m", "bot.rasa.channels.credentials", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class ChannelStack(Stack):
    """The e2e Stack, with Rasa given a credentials file that has the channels."""

    credentials: Path

    def start(self, name: str) -> None:
        if name != "rasa":
            return super().start(name)
        command = procfile()["rasa"].replace(
            "--credentials credentials.yml", f"--credentials {self.credentials}"
        )
        log = open(self.logs / "rasa.log", "ab")
        self.processes[name] = subprocess.Popen(
            command,
            shell=True,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def telegram_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/telegram/webhook"

    @property
    def messenger_webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/facebook/webhook"

    def user_texts(self, conversation: str) -> list[str]:
        return [e.get("text") for e in self.tracker(conversation)["events"] if e["event"] == "user"]


@pytest.fixture(scope="session")
def bot_api() -> Iterator[BotApi]:
    server = BotApi(TELEGRAM_TOKEN).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def graph_api() -> Iterator[GraphApi]:
    server = GraphApi(FB_PAGE_TOKEN, FB_APP_SECRET).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def channel_stack(
    tmp_path_factory: pytest.TempPathFactory, bot_api: BotApi, graph_api: GraphApi
) -> Iterator[ChannelStack]:
    if not RASA_PYTHON.exists():
        pytest.fail("no Rasa environment (.venv-rasa): run `make test`, which builds it")
    tmp = tmp_path_factory.mktemp("channels")
    credentials = tmp / "credentials.yml"
    # read by the Procfile, which generates the file itself (see docs/channels.md)
    env = stack_env(
        tmp,
        COMPTOIR_RASA_TOKEN=RASA_TOKEN,
        COMPTOIR_RASA_CREDENTIALS=str(credentials),
        **channel_env(bot_api, graph_api),
    )
    written = write_credentials(env, credentials)
    assert written.returncode == 0, written.stderr
    stack = ChannelStack(env=env, logs=tmp)
    stack.credentials = credentials
    with running(stack) as started:
        yield started


@pytest.fixture(scope="session")
def demo_orders(channel_stack: ChannelStack) -> list[dict[str, str]]:
    return read_demo_orders(channel_stack.env)


def pick(orders: list[dict[str, str]], status: str) -> dict[str, str]:
    return next(order for order in orders if order["status"] == status)


def sign(body: bytes, secret: str = FB_APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
