"""Hand-off over the REST channel with the real back office: every trigger, the bot's silence
while an agent owns the conversation, the agent's reply reaching the conversation, resolution
and the rating."""

from __future__ import annotations

import uuid

import pytest

from tests.stack import Stack, agent_login, create_user, handoff_of, texts

pytestmark = pytest.mark.e2e

WAITING = ("il vous répond ici", "Aucun conseiller n'est disponible", "service client est fermé")


def told_what_happens_next(replies: list[dict]) -> bool:
    return any(phrase in texts(replies) for phrase in WAITING)


def test_asking_for_a_person_then_silence_relay_reply_resolution_and_rating(stack: Stack):
    create_user(stack, "agent.e2e@boutique-demo.fr", "agent")
    sender = f"e2e-handoff-{uuid.uuid4().hex[:8]}"
    stack.say(sender, "bonjour")
    replies = stack.say(sender, "je voudrais parler à un conseiller")
    assert told_what_happens_next(replies)
    row = handoff_of(stack, sender)
    assert (row["reason"], row["status"], row["channel"]) == ("asked", "waiting", "rest")
    assert "bonjour" in row["summary"]

    # The bot says nothing of its own now, whatever the message; the agent sees it.
    assert stack.say(sender, "où en est ma commande ?") == []
    assert stack.say(sender, "bonjour ?") == []
    shopper_lines = [
        m["text"] for m in handoff_of(stack, sender)["messages"] if m["sender"] == "shopper"
    ]
    assert shopper_lines == ["où en est ma commande ?", "bonjour ?"]

    agent = agent_login(stack, "agent.e2e@boutique-demo.fr")
    reply = agent.post(
        f"{stack.backoffice_url}/inbox/{row['id']}/reply",
        timeout=30,
        data={"text": "Bonjour, je regarde votre commande tout de suite."},
    )
    assert reply.ok, reply.text[:500]
    assert any(
        "je regarde votre commande tout de suite" in (e.get("text") or "")
        for e in stack.bot_events(sender)
    )

    resolved = agent.post(f"{stack.backoffice_url}/inbox/{row['id']}/resolve", timeout=30)
    assert resolved.ok, resolved.text[:500]
    assert handoff_of(stack, sender)["status"] == "resolved"
    rating_question = stack.bot_events(sender)[-1]
    assert "de 1 à 5" in rating_question["text"]
    payload = rating_question["data"]["buttons"][1]["payload"]  # ⭐⭐⭐⭐
    assert "merci" in texts(stack.say(sender, payload)).lower()
    assert handoff_of(stack, sender)["rating"] == 4
    # The bot is back.
    assert "Bonjour" in texts(stack.say(sender, "bonjour"))


def test_an_upset_shopper_is_handed_over_with_top_priority(stack: Stack):
    sender = f"e2e-upset-{uuid.uuid4().hex[:8]}"
    replies = stack.say(sender, "VOUS ÊTES DES ESCROCS, JE VAIS PORTER PLAINTE !!!")
    assert told_what_happens_next(replies)
    row = handoff_of(stack, sender)
    assert (row["reason"], row["priority"], row["mood"]) == ("upset", 1, "mécontent")


def test_not_understood_twice_in_a_row_hands_over(stack: Stack):
    sender = f"e2e-unsure-{uuid.uuid4().hex[:8]}"
    first = stack.say(sender, "zrtgh bvcx qsdf")
    assert not told_what_happens_next(first)
    second = stack.say(sender, "wxcv poiu mlkj")
    assert told_what_happens_next(second)
    assert handoff_of(stack, sender)["reason"] == "unsure"
