"""The widget's channel (bot/rasa/channels/socketio.py) passes an action's `widget` metadata on
with the message (issue 19: who answers, a hand-off's start and end); other metadata stays out."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.rasa.channels.socketio import SocketIOInput, WidgetOutput


class Sio:
    def __init__(self) -> None:
        self.sent: list[tuple[str, Any, Any]] = []

    async def emit(self, event: str, data: Any = None, room: Any = None, **_: Any) -> None:
        self.sent.append((event, data, room))


def send(message: dict[str, Any]) -> list[Any]:
    sio = Sio()
    asyncio.run(WidgetOutput(sio, "bot_uttered").send_response("conv-1", message))  # type: ignore[arg-type]
    assert all(event == "bot_uttered" and room == "conv-1" for event, _, room in sio.sent)
    return [data for _, data, _ in sio.sent]


def test_an_agents_reply_goes_as_written_with_the_agents_name():
    sent = send(
        {
            "text": "Julie (service client) : Bonjour !\n\nJe regarde.",
            "agent": "Julie",
            "timestamp": 1.0,
            "widget": {"agent": "Julie", "text": "Bonjour !\n\nJe regarde.", "secret": "x"},
        }
    )
    assert sent == [
        {"text": "Bonjour !", "widget": {"agent": "Julie"}},
        {"text": "Je regarde.", "widget": {"agent": "Julie"}},
    ]


def test_the_end_of_a_hand_off_rides_on_the_rating_question():
    sent = send(
        {
            "text": "Notez-nous",
            "buttons": [{"title": "5", "payload": "/rate"}],
            "widget": {"handoff": "end", "note": "oui"},  # a wrong type is dropped
        }
    )
    assert sent == [
        {
            "text": "Notez-nous",
            "quick_replies": [{"content_type": "text", "title": "5", "payload": "/rate"}],
            "widget": {"handoff": "end"},
        }
    ]


def test_a_plain_message_is_unchanged():
    assert send({"text": "Bonjour", "agent": "Julie", "step": "x"}) == [{"text": "Bonjour"}]


def test_the_back_offices_messages_use_it_too():
    channel = SocketIOInput(session_persistence=True)

    async def on_new_message(message: Any) -> None:
        pass

    channel.blueprint(on_new_message)
    assert isinstance(channel.get_output_channel(), WidgetOutput)
