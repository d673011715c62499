"""Hand-off on Telegram and Messenger (stand-in servers): the bot falls silent once a person
owns the conversation, the agent's reply from the back office reaches the shopper on their own
channel, and the rating question comes back there when the agent resolves."""

from __future__ import annotations

import pytest

from tests.channels import test_messenger as messenger
from tests.channels import test_telegram as telegram
from tests.channels.conftest import next_id
from tests.stack import agent_login, create_user, handoff_of

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def agent(channel_stack):
    create_user(channel_stack, "agent.canaux@boutique-demo.fr", "agent")
    return agent_login(channel_stack, "agent.canaux@boutique-demo.fr")


def test_telegram_shopper_gets_the_agents_reply_and_the_rating(channel_stack, bot_api, agent):
    chat_id = next_id()
    sent = telegram.say(channel_stack, bot_api, chat_id, "je veux parler à un conseiller")
    assert "conseiller" in sent[-1]["text"]
    row = handoff_of(channel_stack, f"telegram-{chat_id}")
    assert row["channel"] == "telegram"

    assert telegram.say(channel_stack, bot_api, chat_id, "vous êtes là ?") == []
    url = f"{channel_stack.backoffice_url}/inbox/{row['id']}"
    assert agent.post(f"{url}/reply", data={"text": "Oui, je suis là !"}, timeout=30).ok
    assert bot_api.texts(chat_id)[-1] == "Agent.canaux (service client) : Oui, je suis là !"

    assert agent.post(f"{url}/resolve", timeout=30).ok
    question = bot_api.to_chat(chat_id, "sendMessage")[-1].params
    assert "de 1 à 5" in question["text"]
    assert len(telegram.buttons(question)) == 5


def test_messenger_shopper_gets_the_agents_reply_and_the_rating(channel_stack, graph_api, agent):
    psid = str(next_id())
    sent = messenger.say(channel_stack, graph_api, psid, "je veux parler à un conseiller")
    assert "conseiller" in messenger.texts(sent)
    row = handoff_of(channel_stack, f"messenger-{psid}")
    assert row["channel"] == "facebook"

    assert messenger.say(channel_stack, graph_api, psid, "vous êtes là ?") == []
    url = f"{channel_stack.backoffice_url}/inbox/{row['id']}"
    assert agent.post(f"{url}/reply", data={"text": "Oui, je suis là !"}, timeout=30).ok
    assert graph_api.messages(psid)[-1]["text"] == (
        "Agent.canaux (service client) : Oui, je suis là !"
    )

    assert agent.post(f"{url}/resolve", timeout=30).ok
    question = graph_api.messages(psid)[-1]
    assert "de 1 à 5" in question["text"]
    assert len(question["quick_replies"]) == 5
