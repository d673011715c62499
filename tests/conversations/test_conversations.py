"""Every scripted conversation of tests/conversations/*.yml against the real stack (one test
each; the format is in runner.py). `make test-conversations` runs only these."""

from __future__ import annotations

import pytest

from tests.conversations.runner import Conversation, OrderPool, load, run
from tests.stack import Stack, read_demo_orders

pytestmark = pytest.mark.e2e
CONVERSATIONS = load()
PER_STATUS = 40  # demo orders handed out per status (each conversation gets its own)


@pytest.fixture(scope="session")
def order_pool(stack: Stack) -> OrderPool:
    return OrderPool(read_demo_orders(stack.env, per_status=PER_STATUS))


def test_the_suite_is_big_enough_and_readable():
    assert len(CONVERSATIONS) >= 80
    names = [c.id for c in CONVERSATIONS]
    assert len(names) == len(set(names)), "two conversations share a name"
    assert all(len(c.turns) >= 2 for c in CONVERSATIONS), "multi-turn conversations only"


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=lambda c: c.id)
def test_conversation(conversation: Conversation, stack: Stack, order_pool: OrderPool):
    run(conversation, stack, order_pool)
