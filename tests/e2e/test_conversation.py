"""Whole conversations over the REST channel against the real shop API, action server and
Rasa server, with the demo shop's own orders."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bot.core.replies import slot_hint
from bot.settings import ROOT
from tests.stack import Stack, handoff_of, texts

pytestmark = pytest.mark.e2e


def pick(orders: list[dict[str, str]], status: str) -> dict[str, str]:
    return next(order for order in orders if order["status"] == status)


def test_http_api_requires_the_token(stack: Stack):
    status = f"{stack.rasa_url}/status"
    assert requests.get(status, timeout=5).status_code == 401
    assert requests.get(status, params={"token": "wrong"}, timeout=5).status_code == 401
    assert (
        requests.get(
            status, params={"token": stack.env["COMPTOIR_RASA_TOKEN"]}, timeout=5
        ).status_code
        == 200
    )


def test_track_an_order_from_greeting_to_goodbye(stack: Stack, demo_orders):
    order = pick(demo_orders, "shipped")
    sender = "e2e-track"
    assert "Bonjour" in texts(stack.say(sender, "Bonjour !"))
    asked = texts(stack.say(sender, f"Je voudrais savoir où en est ma commande {order['number']}"))
    assert "adresse e-mail" in asked or "code postal" in asked
    answer = texts(stack.say(sender, f"mon mail c'est {order['email']}"))
    assert f"Votre commande {order['number']} est expédiée" in answer
    assert "n° de suivi" in answer and "Suivi détaillé : https://" in answer
    assert texts(stack.say(sender, "merci, au revoir"))


def test_wrong_email_reveals_nothing_and_three_failures_hand_over(stack: Stack, demo_orders):
    order = pick(demo_orders, "delivered")
    sender = "e2e-wrong-email"
    stack.say(sender, f"où est ma commande {order['number']} ?")
    first = texts(stack.say(sender, "inconnu.total@exemple.fr"))
    assert "Je ne trouve aucune commande qui corresponde" in first
    assert order["postcode"] not in first and "livrée" not in first
    assert "numéro de votre commande" in first  # both parts are asked again
    stack.say(sender, f"{order['number']} autre.inconnu@exemple.fr")
    replies = stack.say(sender, f"commande {order['number']}, mail encore.faux@exemple.fr")
    assert "après plusieurs essais" in texts(replies)
    assert "conseiller" in texts(replies)
    assert handoff_of(stack, sender)["reason"] == "verification"
    assert stack.say(sender, "allô ?") == []  # a person owns it now: the bot stays silent


def test_cancel_a_preparing_order_after_confirmation(stack: Stack, demo_orders):
    order = pick(demo_orders, "preparing")
    sender = "e2e-cancel"
    stack.say(sender, f"je veux annuler ma commande {order['number']}")
    question = stack.say(sender, order["postcode"])
    assert "Confirmez-vous" in texts(question)
    assert "est annulée" in texts(stack.say(sender, "/affirm"))


@pytest.mark.parametrize(
    "message", ["x" * 10_000, "😀😀😀", "", "   ", "<script>alert('x')</script><b>bonjour</b>"]
)
def test_bad_input_gets_a_clear_answer(stack: Stack, message: str):
    start = time.monotonic()
    replies = stack.say(f"e2e-bad-{abs(hash(message))}", message)
    assert time.monotonic() - start < 10
    said = texts(replies)
    assert said.strip(), f"no answer to {message[:20]!r}"
    assert "<script>" not in said and "<b>" not in said


def test_side_question_then_the_form_resumes(stack: Stack, demo_orders):
    order = pick(demo_orders, "shipped")
    sender = "e2e-side"
    stack.say(sender, "je veux suivre ma commande")
    side = texts(stack.say(sender, "vous êtes un robot ?"))
    assert "assistant virtuel" in side and "numéro de votre commande" in side
    stack.say(sender, order["number"])
    assert f"Votre commande {order['number']}" in texts(stack.say(sender, order["email"]))


def test_shop_down_apologises_and_hands_over_within_two_seconds(stack: Stack, demo_orders):
    order = pick(demo_orders, "shipped")
    sender = "e2e-shop-down"
    stack.say(sender, f"où en est ma commande {order['number']}")
    stack.stop("shop")
    try:
        start = time.monotonic()
        replies = stack.say(sender, order["email"])
        elapsed = time.monotonic() - start
        assert "Toutes mes excuses" in texts(replies) and "conseiller" in texts(replies)
        assert elapsed < 2.0
        assert handoff_of(stack, sender)["reason"] == "shop_down"
    finally:
        stack.start("shop")
        stack.wait_until_ready("shop", f"{stack.shop_url}/health")


def test_general_question_is_answered_from_the_knowledge_base(stack: Stack):
    question = "Est-ce que je peux payer en plusieurs fois sans frais ?"
    expected = kb_search(stack, question)
    assert expected["outcome"] == "answer" and expected["hits"][0]["topic"] == "payment"
    replies = stack.say("e2e-faq", question, timeout=120)  # first search loads the encoder
    assert texts(replies) == expected["hits"][0]["answer"]
    feedback = replies[0]["buttons"][1]["payload"]
    assert feedback == '/faq_feedback{"helpful": "no"}'
    assert "conseiller" in texts(stack.say("e2e-faq", feedback))
    lines = Path(stack.env["COMPTOIR_FAQ_FEEDBACK_FILE"]).read_text().splitlines()
    [recorded] = [json.loads(line) for line in lines if '"e2e-faq"' in line]
    assert (recorded["conversation"], recorded["entry"], recorded["helpful"]) == (
        "e2e-faq",
        expected["hits"][0]["id"],
        False,
    )


def kb_search(stack: Stack, question: str) -> dict:
    """What the knowledge base itself answers, through its command-line interface."""
    output = subprocess.run(
        [sys.executable, "-m", "bot.kb", "search", question, "--json"],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(output.stdout)


def test_order_number_alone_is_looked_up(stack: Stack, demo_orders):
    """Most shoppers who type only a number want to know where the order is."""
    order = pick(demo_orders, "delivered")
    replies = stack.say("e2e-number-alone", order["number"])
    assert f"la commande {order['number']} est bien la vôtre" in texts(replies)
    assert "adresse e-mail" in texts(replies)


def test_unclear_answer_in_a_form_is_said_once_then_the_question_again(stack: Stack):
    sender = "e2e-unclear-in-form"
    question = texts(stack.say(sender, "je veux suivre ma commande"))
    replies = stack.say(sender, "euh je sais pas trop")
    assert [reply.get("text") for reply in replies] == [slot_hint("order_number"), question]
