"""The widget's channel (bot/rasa/channels/socketio.py) with Rasa's real socket.io server, no
network: a browser that comes back with an erased conversation is told to clear its history and
gets a new conversation; any other keeps its own (issue 17)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.core import forgotten
from bot.core.edge import WebConversationIds
from bot.rasa.channels.socketio import SocketIOInput, erased

SECRET = "in-rasa-conversation-secret"


@pytest.fixture
def register(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("COMPTOIR_CONVERSATION_SECRET", SECRET)
    path = tmp_path / "forgotten.db"
    monkeypatch.setenv("COMPTOIR_FORGOTTEN_DB", str(path))
    return path


def connect(monkeypatch: pytest.MonkeyPatch, kept: Any) -> list[tuple[str, Any]]:
    """What the server sends a new socket that asks for the conversation it `kept`."""
    channel = SocketIOInput(session_persistence=True)

    async def on_new_message(message: Any) -> None:
        pass

    channel.blueprint(on_new_message)
    sio = channel.sio
    assert sio is not None
    sent: list[tuple[str, Any]] = []

    async def emit(event: str, data: Any = None, room: Any = None, **_: Any) -> None:
        assert room == "sid-1"
        sent.append((event, data))

    async def enter_room(sid: str, room: str, namespace: Any = None) -> None:
        sent.append(("entered", room))

    monkeypatch.setattr(sio, "emit", emit)
    monkeypatch.setattr(sio, "enter_room", enter_room)
    handler = sio.handlers["/"]["session_request"]
    asyncio.run(handler("sid-1", {"session_id": kept}))
    return sent


def test_a_browser_keeps_its_own_conversation(register: Path, monkeypatch: pytest.MonkeyPatch):
    kept = WebConversationIds(SECRET).issue()
    assert connect(monkeypatch, kept) == [("entered", kept), ("session_confirm", kept)]


def test_an_erased_conversation_is_cleared_and_replaced(
    register: Path, monkeypatch: pytest.MonkeyPatch
):
    kept = WebConversationIds(SECRET).issue()
    forgotten.record([kept], register)
    assert erased(kept)
    sent = connect(monkeypatch, kept)
    assert [event for event, _ in sent] == ["entered", "clear_history", "session_confirm"]
    new = sent[-1][1]
    assert new != kept and WebConversationIds(SECRET).valid(new)
    assert sent[0] == ("entered", new)  # the old conversation's room is never joined


def test_an_unreadable_register_erases_nothing(register: Path, monkeypatch: pytest.MonkeyPatch):
    register.write_text("not a database")
    kept = WebConversationIds(SECRET).issue()
    assert erased(kept) is False
    assert connect(monkeypatch, kept)[-1] == ("session_confirm", kept)
