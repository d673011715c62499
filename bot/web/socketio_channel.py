"""Rasa's socket.io channel with `session_persistence` that works on python-socketio >= 5.10.

Rasa 3.6's `SocketIOInput` calls `sio.enter_room(sid, session_id)` without `await`. Since
python-socketio 5.10, `AsyncServer.enter_room` is a coroutine, so the socket never joins the
room named after the session and every answer (emitted to that room) is lost: the widget sees
`session_confirm` and then nothing ("coroutine 'AsyncServer.enter_room' was never awaited" in
Rasa's log). This subclass re-registers `session_request` with the call awaited; everything
else is Rasa's own code. Use it in credentials.yml in place of `socketio:`:

    bot.web.socketio_channel.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

It keeps the name "socketio", so the URLs (/socket.io, /webhooks/socketio) do not change.
Runs in the Rasa environment (.venv-rasa, Python 3.10).
"""
from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        async def session_request(sid: str, data: Dict | None) -> None:
            if not isinstance(data, dict):
                data = {}
            session_id = data.get("session_id")
            if not isinstance(session_id, str) or not session_id.strip():
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # python-socketio >= 5.10
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug(f"User {sid} joined socket.io session {session_id}.")

        sio.on("session_request", session_request, namespace=self.namespace)
        return blueprint
