"""Every scripted conversation of tests/conversations/*.yml against the real stack (one test
each; the format is in runner.py). `make test-conversations` runs only these."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.settings import ROOT
from tests.conversations.runner import Conversation, OrderPool, load, run
from tests.stack import Stack

pytestmark = pytest.mark.e2e
CONVERSATIONS = load()
PER_STATUS = 40  # demo orders handed out per status (each conversation gets its own)


@pytest.fixture(scope="session")
def order_pool(stack: Stack) -> OrderPool:
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.demo_shop",
            "demo-orders",
            "--per-status",
            str(PER_STATUS),
            "--db",
            stack.env["COMPTOIR_SHOP_DB_URL"],
        ],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return OrderPool([json.loads(line) for line in output.splitlines() if line.strip()])


def test_the_suite_is_big_enough_and_readable():
    assert len(CONVERSATIONS) >= 80
    names = [c.id for c in CONVERSATIONS]
    assert len(names) == len(set(names)), "two conversations share a name"
    assert all(len(c.turns) >= 2 for c in CONVERSATIONS), "multi-turn conversations only"


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=lambda c: c.id)
def test_conversation(conversation: Conversation, stack: Stack, order_pool: OrderPool):
    run(conversation, stack, order_pool)
