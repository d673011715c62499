"""The Messenger channel inside a real Rasa server, with the Graph API played by a local
stand-in: verification handshake, X-Hub-Signature-256, quick replies, a whole conversation."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests

from tests.channels.conftest import (
    FB_APP_SECRET,
    FB_VERIFY_TOKEN,
    RASA_TOKEN,
    ChannelStack,
    next_id,
    pick,
    sign,
)
from tests.channels.standins import GraphApi

pytestmark = pytest.mark.e2e
PAGE_ID = "1122334455"


def event(
    psid: str, text: str | None = None, quick_reply: str | None = None, **message: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"mid": f"m_{next_id()}", **message}
    if text is not None:
        body["text"] = text
    if quick_reply is not None:
        body["quick_reply"] = {"payload": quick_reply}
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": int(time.time() * 1000),
        "message": body,
    }


def page(*events: dict[str, Any]) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {"id": PAGE_ID, "time": int(time.time() * 1000), "messaging": [e]} for e in events
            ],
        },
        ensure_ascii=False,
    ).encode()


def post(stack: ChannelStack, body: bytes, signature: str | None = "valid") -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "valid":
        headers["X-Hub-Signature-256"] = sign(body)
    elif signature is not None:
        headers["X-Hub-Signature-256"] = signature
    return requests.post(stack.messenger_webhook, data=body, headers=headers, timeout=30)


def say(
    stack: ChannelStack,
    graph_api: GraphApi,
    psid: str,
    text: str | None = None,
    quick_reply: str | None = None,
) -> list[dict[str, Any]]:
    before = len(graph_api.messages(psid))
    response = post(stack, page(event(psid, text or quick_reply, quick_reply)))
    assert response.status_code == 200, response.text
    return graph_api.messages(psid)[before:]


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_verification_handshake(channel_stack):
    url = channel_stack.messenger_webhook
    good = {
        "hub.mode": "subscribe",
        "hub.verify_token": FB_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    answer = requests.get(url, params=good, timeout=10)
    assert answer.status_code == 200 and answer.text == "1158201444"
    for wrong in (
        {**good, "hub.verify_token": "wrong"},
        {**good, "hub.mode": "unsubscribe"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
    ):
        answer = requests.get(url, params=wrong, timeout=10)
        assert answer.status_code == 403 and "1158201444" not in answer.text


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=",
        "sha256=" + "0" * 64,
        "sha1=0123",
        "wrong-secret",  # signed with another secret: replaced below
    ],
)
def test_missing_or_wrong_signature_is_refused_and_nothing_processed(
    channel_stack, graph_api, signature
):
    psid = str(next_id())
    body = page(event(psid, "Bonjour"))
    if signature == "wrong-secret":
        signature = sign(body, FB_APP_SECRET + "x")
    assert post(channel_stack, body, signature).status_code == 403
    # a body altered after signing is refused too
    tampered = page(event(psid, "Bonjour !"))
    assert post(channel_stack, tampered, sign(body)).status_code == 403
    assert graph_api.to_user(psid) == []
    assert channel_stack.user_texts(f"messenger-{psid}") == []


def test_malformed_or_foreign_bodies_are_rejected(channel_stack):
    for body, status in ((b"{not json", 400), (b'{"object": "instagram", "entry": []}', 404)):
        assert post(channel_stack, body).status_code == status


def test_greeting_buttons_become_quick_replies(channel_stack, graph_api):
    psid = str(next_id())
    sent = say(channel_stack, graph_api, psid, "Bonjour")
    greeting = next(m for m in sent if "Bonjour" in m.get("text", ""))
    replies = greeting["quick_replies"]
    assert {
        "content_type": "text",
        "title": "Suivre ma commande",
        "payload": "/track_order",
    } in replies
    assert len(replies) == 5 and all(len(r["title"]) <= 20 for r in replies)
    assert graph_api.actions(psid)[:2] == ["mark_seen", "typing_on"]
    assert graph_api.actions(psid)[-1] == "typing_off"


def test_a_whole_conversation_tracks_an_order(channel_stack, graph_api, demo_orders):
    order = pick(demo_orders, "shipped")
    psid = str(next_id())
    say(channel_stack, graph_api, psid, "Salut")
    asked = texts(say(channel_stack, graph_api, psid, quick_reply="/track_order"))
    assert "numéro de votre commande" in asked
    assert "adresse e-mail" in texts(say(channel_stack, graph_api, psid, order["number"]))
    answer = texts(say(channel_stack, graph_api, psid, order["postcode"]))
    assert f"Votre commande {order['number']} est expédiée" in answer
    assert "Suivi détaillé : https://" in answer
    assert channel_stack.user_texts(f"messenger-{psid}")[1:] == [
        "/track_order",
        order["number"],
        order["postcode"],
    ]
    calls = graph_api.to_user(psid)
    assert all(c.method.startswith("POST /v") and c.method.endswith("/me/messages") for c in calls)
    assert all(c.params.get("messaging_type", "RESPONSE") == "RESPONSE" for c in calls)


def test_shopper_html_is_received_and_answered_as_plain_text(channel_stack, graph_api):
    psid = str(next_id())
    html = "<b>x</b><script>alert('x')</script>"
    sent = say(channel_stack, graph_api, psid, html)
    assert sent, "no answer"
    assert channel_stack.user_texts(f"messenger-{psid}") == [html]
    assert "&lt;" not in texts(sent) and "<script>" not in texts(sent)


def test_echoes_are_ignored_and_attachments_get_a_clear_answer(channel_stack, graph_api):
    psid = str(next_id())
    echo = event(psid, "message de la page", is_echo=True)
    photo = event(psid, attachments=[{"type": "image", "payload": {"url": "https://x/y.jpg"}}])
    assert post(channel_stack, page(echo, photo)).status_code == 200
    assert texts(graph_api.messages(psid)).startswith("Je ne sais lire que les messages écrits")
    assert channel_stack.user_texts(f"messenger-{psid}") == []


def test_every_event_of_a_batch_is_handled_once(channel_stack, graph_api):
    first, second = str(next_id()), str(next_id())
    body = page(event(first, "Bonjour"), event(second, "Bonjour"))
    assert post(channel_stack, body).status_code == 200
    assert post(channel_stack, body).status_code == 200  # Meta retries: same message ids
    assert channel_stack.user_texts(f"messenger-{first}") == ["Bonjour"]
    assert channel_stack.user_texts(f"messenger-{second}") == ["Bonjour"]


def test_trigger_intent_reaches_the_shopper_on_messenger(channel_stack, graph_api):
    psid = str(next_id())
    say(channel_stack, graph_api, psid, "Bonjour")
    before = len(graph_api.messages(psid))
    response = requests.post(
        f"{channel_stack.rasa_url}/conversations/messenger-{psid}/trigger_intent",
        params={"token": RASA_TOKEN, "output_channel": "latest"},
        json={"name": "greet"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert "Bonjour" in texts(graph_api.messages(psid)[before:])


def test_typed_internal_intents_are_only_words_on_messenger(channel_stack, graph_api):
    """Row 2 of the security review: a back-office intent typed in Messenger is not obeyed;
    a quick reply the bot offered still is."""
    psid = str(next_id())
    forged = "/handoff_resolved"
    say(channel_stack, graph_api, psid, "je veux parler à un conseiller")
    say(channel_stack, graph_api, psid, forged)
    tracker = channel_stack.tracker(f"messenger-{psid}")
    assert tracker["slots"]["handoff_active"] is True
    actions = [e.get("name") for e in tracker["events"] if e["event"] == "action"]
    assert "action_handoff_resolved" not in actions and "action_relay_to_agent" in actions


def test_a_too_long_message_is_answered_not_processed_on_messenger(channel_stack, graph_api):
    psid = str(next_id())
    replies = say(channel_stack, graph_api, psid, "é" * 2001)
    assert "2\u202f000" in texts(replies)
    assert channel_stack.user_texts(f"messenger-{psid}") == []
