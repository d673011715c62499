"""Delay notices, whole: a shopper proves an order on Messenger, Telegram or the widget; the
demo shop makes the parcel late and sends its signed event; the back office queues one notice
and Rasa says it first, on the shopper's channel, once, tagged on Messenger; never outside
Messenger's 24-hour window; and a restart of the back office and of Rasa between the event and
the notice loses nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from bot.clients.shop.demo_events import OrderEvent
from bot.demo_shop import db as shop_db
from bot.demo_shop import delays
from tests.channels.conftest import RASA_TOKEN, ChannelStack, next_id
from tests.channels.standins import BotApi, GraphApi
from tests.channels.test_messenger import say as messenger_says
from tests.channels.test_telegram import say as telegram_says
from tests.stack import Widget, read_demo_orders

pytestmark = pytest.mark.e2e
LATE = "a pris du retard"


@pytest.fixture(scope="module")
def shipped(channel_stack: ChannelStack) -> Iterator[dict[str, str]]:
    """Shipped orders no other channel test uses (they take the first of each status)."""
    orders = [o for o in read_demo_orders(channel_stack.env, 8) if o["status"] == "shipped"][1:]
    assert len(orders) >= 5, "the demo shop has too few shipped orders for these tests"
    return iter(orders)


def make_late(stack: ChannelStack, number: str) -> OrderEvent:
    """What a person of the demo shop does (`python -m bot.demo_shop delay`), in two steps so
    that a test can send the very same event twice."""
    engine = shop_db.make_engine(stack.env["COMPTOIR_SHOP_DB_URL"])
    try:
        with Session(engine) as session:
            return delays.delay(session, number, 3)
    finally:
        engine.dispose()


def announce(stack: ChannelStack, event: OrderEvent) -> None:
    url = f"{stack.backoffice_url}/api/webhooks/shop"
    assert delays.send(event, url, stack.env["COMPTOIR_SHOP_WEBHOOK_SECRET"]) == 200


def notices(stack: ChannelStack, conversation: str) -> list[dict[str, Any]]:
    """The back office's queue for this conversation, as stored."""
    engine = create_engine(stack.env["COMPTOIR_BACKOFFICE_DB_URL"])
    try:
        with engine.connect() as db:
            rows = db.execute(
                text("SELECT status, reason, attempts FROM notices WHERE conversation_id = :c"),
                {"c": conversation},
            )
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"waited {timeout} s for {what}")


def late_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if LATE in (m.get("text") or "")]


def prove_on_messenger(stack: ChannelStack, graph_api: GraphApi, order: dict[str, str]) -> str:
    psid = str(next_id())
    messenger_says(stack, graph_api, psid, quick_reply="/track_order")
    messenger_says(stack, graph_api, psid, order["number"])
    answer = messenger_says(stack, graph_api, psid, order["postcode"])
    assert any(f"Votre commande {order['number']}" in (m.get("text") or "") for m in answer)
    return psid


def test_a_delay_reaches_messenger_once_with_the_post_purchase_tag(
    channel_stack: ChannelStack, graph_api: GraphApi, shipped: Iterator[dict[str, str]]
) -> None:
    order = next(shipped)
    psid = prove_on_messenger(channel_stack, graph_api, order)
    event = make_late(channel_stack, order["number"])
    announce(channel_stack, event)
    announce(channel_stack, event)  # the shop retries its webhook: still one notice
    wait_for(lambda: late_messages(graph_api.messages(psid)), what="the notice on Messenger")
    time.sleep(3)  # time for a second one, if the queue were to send it twice
    [notice] = late_messages(graph_api.messages(psid))
    assert order["number"] in notice["text"] and "livrée le" in notice["text"]
    assert [r["payload"] for r in notice["quick_replies"]] == [
        "/wait",
        "/problem_report",
        "/human_handoff",
        "/stop_notices",
    ]
    [call] = [c for c in graph_api.to_user(psid) if LATE in str(c.params)]
    assert call.params["messaging_type"] == "MESSAGE_TAG"
    assert call.params["tag"] == "POST_PURCHASE_UPDATE"
    assert notices(channel_stack, f"messenger-{psid}") == [
        {"status": "sent", "reason": None, "attempts": 1}
    ]
    # "Ne plus me prévenir": the next delay of that order is not sent.
    stopped = messenger_says(channel_stack, graph_api, psid, quick_reply="/stop_notices")
    assert "je ne vous écrirai plus" in stopped[0]["text"]
    announce(channel_stack, make_late(channel_stack, order["number"]))
    time.sleep(3)
    assert len(late_messages(graph_api.messages(psid))) == 1


def test_a_delay_reaches_telegram(
    channel_stack: ChannelStack, bot_api: BotApi, shipped: Iterator[dict[str, str]]
) -> None:
    order = next(shipped)
    chat_id = next_id()
    telegram_says(channel_stack, bot_api, chat_id, "je veux suivre ma commande")
    telegram_says(channel_stack, bot_api, chat_id, order["number"])
    telegram_says(channel_stack, bot_api, chat_id, order["email"])
    announce(channel_stack, make_late(channel_stack, order["number"]))
    wait_for(
        lambda: [t for t in bot_api.texts(chat_id) if LATE in t], what="the notice on Telegram"
    )
    time.sleep(2)
    assert len([t for t in bot_api.texts(chat_id) if LATE in t]) == 1


def test_a_delay_reaches_the_open_widget(
    channel_stack: ChannelStack, shipped: Iterator[dict[str, str]]
) -> None:
    order = next(shipped)
    widget = Widget(channel_stack)
    try:
        session = widget.session(None)
        widget.say("je veux suivre ma commande", session)
        widget.say(order["number"], session)
        widget.say(order["email"], session, answers=2)
        announce(channel_stack, make_late(channel_stack, order["number"]))
        wait_for(lambda: late_messages(widget.said), what="the notice in the widget's open socket")
        time.sleep(2)
        [notice] = late_messages(widget.said)
        assert [b["payload"] for b in notice["quick_replies"]][-1] == "/stop_notices"
    finally:
        widget.close()


def test_no_notice_outside_messengers_24_hour_window(
    channel_stack: ChannelStack, graph_api: GraphApi, shipped: Iterator[dict[str, str]]
) -> None:
    order = next(shipped)
    psid = str(next_id())
    conversation = f"messenger-{psid}"
    # The shopper's last message was 25 hours ago (written into the tracker with its time).
    response = requests.post(
        f"{channel_stack.rasa_url}/conversations/{conversation}/tracker/events",
        params={"token": RASA_TOKEN},
        json=[
            {
                "event": "user",
                "text": f"ma commande {order['number']} ?",
                "timestamp": time.time() - 25 * 3600,
                "input_channel": "facebook",
                "parse_data": {"intent": {"name": "track_order", "confidence": 1.0}},
            }
        ],
        timeout=10,
    )
    assert response.status_code == 200, response.text
    watched = requests.post(
        f"{channel_stack.backoffice_url}/api/watches",
        headers={"Authorization": f"Bearer {channel_stack.env['COMPTOIR_SERVICE_TOKEN']}"},
        json={
            "conversation_id": conversation,
            "order_number": order["number"],
            "channel": "facebook",
        },
        timeout=10,
    )
    assert watched.status_code < 300, watched.text
    announce(channel_stack, make_late(channel_stack, order["number"]))
    skipped = wait_for(
        lambda: [n for n in notices(channel_stack, conversation) if n["status"] == "skipped"],
        what="the notice to be skipped",
    )
    assert skipped == [{"status": "skipped", "reason": "window_closed", "attempts": 1}]
    assert graph_api.to_user(psid) == []


def test_a_restart_between_the_event_and_the_notice_loses_nothing(
    channel_stack: ChannelStack, graph_api: GraphApi, shipped: Iterator[dict[str, str]]
) -> None:
    order = next(shipped)
    psid = prove_on_messenger(channel_stack, graph_api, order)
    conversation = f"messenger-{psid}"
    channel_stack.stop("rasa")
    try:
        announce(channel_stack, make_late(channel_stack, order["number"]))  # stored, not sent
        wait_for(
            lambda: [n for n in notices(channel_stack, conversation) if n["attempts"] >= 1],
            what="a first failed try while Rasa is down",
        )
        channel_stack.stop("backoffice")
        assert late_messages(graph_api.messages(psid)) == []
    finally:
        channel_stack.start("rasa")
        channel_stack.wait_until_ready(
            "rasa", f"{channel_stack.rasa_url}/status?token={RASA_TOKEN}"
        )
        if "backoffice" not in channel_stack.processes:
            channel_stack.start("backoffice")
        channel_stack.wait_until_ready("backoffice", f"{channel_stack.backoffice_url}/healthz")
    wait_for(
        lambda: late_messages(graph_api.messages(psid)),
        timeout=60,
        what="the notice after the restart",
    )
    time.sleep(3)
    assert len(late_messages(graph_api.messages(psid))) == 1
    assert [n["status"] for n in notices(channel_stack, conversation)] == ["sent"]
