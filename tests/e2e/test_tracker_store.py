"""Conversations live in the SQL tracker store (bot/rasa/tracker_store.py keeps a decoded copy in
memory): every event is a row, and a restarted Rasa carries on from the database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tests.stack import Stack, texts

pytestmark = pytest.mark.e2e


def rows_of(stack: Stack, sender: str) -> int:
    with sqlite3.connect(stack.env["COMPTOIR_TRACKER_DB"]) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]


def test_a_conversation_is_in_the_database_and_outlives_a_rasa_restart(stack: Stack, demo_orders):
    order = next(o for o in demo_orders if o["status"] == "shipped")
    sender = "e2e-restart"
    stack.say(sender, f"Je voudrais savoir où en est ma commande {order['number']}")
    assert f"commande {order['number']} est" in texts(
        stack.say(sender, f"mon mail c'est {order['email']}")
    )
    before = stack.tracker(sender)
    assert rows_of(stack, sender) == len(before["events"]) > 8

    stack.stop("rasa")
    stack.start("rasa")
    stack.wait_until_ready(
        "rasa", f"{stack.rasa_url}/status?token={stack.env['COMPTOIR_RASA_TOKEN']}"
    )

    after = stack.tracker(sender)
    assert after["events"] == before["events"]
    assert after["slots"]["order_number"] == order["number"]
    assert texts(stack.say(sender, "merci beaucoup"))
    grown = stack.tracker(sender)["events"]
    assert grown[: len(before["events"])] == before["events"]
    assert rows_of(stack, sender) == len(grown) > len(before["events"])


def test_the_message_embedding_reaches_the_actions_but_is_not_stored(stack: Stack):
    """The intent classifier hands its embedding of the message to the knowledge base (it is
    embedded once per turn, bot/core/query_vector.py); the conversation is saved without it."""
    sender = "e2e-vector"
    assert texts(stack.say(sender, "Quels moyens de paiement acceptez-vous ?"))
    actions_log = (stack.logs / "actions.log").read_text(errors="replace")
    assert f"kb search conversation={sender}" in actions_log
    line = next(
        line for line in actions_log.splitlines() if f"kb search conversation={sender}" in line
    )
    assert "vector_from_nlu=True" in line
    with sqlite3.connect(stack.env["COMPTOIR_TRACKER_DB"]) as db:
        stored = [
            row[0]
            for row in db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
            )
        ]
    assert stored and not any("text_vector" in data for data in stored)
    events = stack.tracker(sender)["events"]
    assert not any("text_vector" in (e.get("parse_data") or {}) for e in events)


def test_an_erased_conversation_does_not_come_back_from_memory(stack: Stack, demo_orders):
    """bot.privacy erases the rows while Rasa runs and holds the conversation in memory; the
    shopper writes again on the same id (as on Telegram): only the new message is stored."""
    order = next(o for o in demo_orders if o["status"] == "shipped")
    sender = "e2e-erased"
    stack.say(sender, f"Où en est ma commande {order['number']} ?")
    stack.say(sender, f"mon mail c'est {order['email']}")
    assert rows_of(stack, sender) > 8
    done = subprocess.run(
        [sys.executable, "-m", "bot.privacy", "erase", "--conversation", sender, "--yes"],
        env=stack.env,
        cwd=stack.env["PYTHONPATH"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert rows_of(stack, sender) == 0

    assert texts(stack.say(sender, "bonjour"))
    with sqlite3.connect(stack.env["COMPTOIR_TRACKER_DB"]) as db:
        stored = " ".join(
            row[0] for row in db.execute("SELECT data FROM events WHERE sender_id = ?", (sender,))
        )
    assert "bonjour" in stored
    assert order["email"] not in stored and order["number"] not in stored
