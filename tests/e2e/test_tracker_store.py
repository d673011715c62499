"""Conversations live in the SQL tracker store (bot/tracker_store.py keeps a decoded copy in
memory): every event is a row, and a restarted Rasa carries on from the database."""
from __future__ import annotations

import sqlite3

import pytest

from tests.stack import Stack, texts

pytestmark = pytest.mark.e2e


def rows_of(stack: Stack, sender: str) -> int:
    with sqlite3.connect(stack.env["COMPTOIR_TRACKER_DB"]) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?",
                          (sender,)).fetchone()[0]


def test_a_conversation_is_in_the_database_and_outlives_a_rasa_restart(stack: Stack,
                                                                       demo_orders):
    order = next(o for o in demo_orders if o["status"] == "shipped")
    sender = "e2e-restart"
    stack.say(sender, f"Je voudrais savoir où en est ma commande {order['number']}")
    assert f"commande {order['number']} est" in texts(
        stack.say(sender, f"mon mail c'est {order['email']}"))
    before = stack.tracker(sender)
    assert rows_of(stack, sender) == len(before["events"]) > 8

    stack.stop("rasa")
    stack.start("rasa")
    stack.wait_until_ready(
        "rasa", f"{stack.rasa_url}/status?token={stack.env['COMPTOIR_RASA_TOKEN']}")

    after = stack.tracker(sender)
    assert after["events"] == before["events"]
    assert after["slots"]["order_number"] == order["number"]
    assert texts(stack.say(sender, "merci beaucoup"))
    grown = stack.tracker(sender)["events"]
    assert grown[:len(before["events"])] == before["events"]
    assert rows_of(stack, sender) == len(grown) > len(before["events"])
