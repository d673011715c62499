"""Rasa's socket.io channel for the web widget, made safe to open to the internet.

Use it in credentials.yml in place of `socketio:` (same URLs: /socket.io, /webhooks/socketio):

    bot.rasa.channels.socketio.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

What changes from Rasa 3.6's `SocketIOInput`:
- **The server issues conversation ids.** `session_request` keeps the id the browser sends back
  only if this server signed it (bot/core/edge.py); otherwise it issues a new one. A message
  is handled in the conversation its socket was given, never in one its body names, so a
  browser cannot read or write another shopper's conversation (nor a `telegram-…` one).
- **The browser's metadata is not trusted**: the message carries only what the server knows
  (the shopper's IP address, for the verification throttle).
- **Bounded, clean text**: control characters removed; a message over 2,000 characters gets a
  French answer and is not processed.
- **Answers reach the widget** on python-socketio >= 5.10, where `enter_room` is a coroutine
  that Rasa 3.6 did not await (every answer was lost).
- **An erased conversation leaves the browser too**: when the id a browser sends back names a
  conversation erased at the shopper's request (bot/core/forgotten.py, the file
  COMPTOIR_FORGOTTEN_DB, default var/forgotten.db), the widget is sent `clear_history` (it
  forgets its copy of the history) and then a new conversation id.
- **The widget is told who answers**: an action's `widget` metadata (actions/handoff.py: a
  hand-off starts or ends, an agent's reply and its author, the note that an agent joined) is
  sent with the message as a `widget` object. Rasa's output drops every metadata; Telegram and
  Messenger ignore this key (they read only their own).
Runs in the Rasa environment (.venv-rasa, Python 3.10).
"""

from __future__ import annotations

import inspect
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from bot.core import edge, forgotten

logger = logging.getLogger(__name__)


def erased(conversation: str) -> bool:
    """Whether this conversation was erased at the shopper's request. A register that cannot be
    read is logged and counts as no erasure: the browser keeps its history until it can be read."""
    path = Path(os.environ.get("COMPTOIR_FORGOTTEN_DB") or forgotten.DEFAULT_PATH)
    try:
        return forgotten.was_erased(conversation, path)
    except (OSError, sqlite3.Error):
        logger.exception("cannot read the erased conversations (%s)", path)
        return False


WIDGET_KEY = "widget"  # the metadata key the actions set for the widget (actions/handoff.py)
WIDGET_FIELDS = {"handoff": str, "agent": str, "text": str, "note": bool}


def widget_info(metadata: Any) -> Dict[str, Any]:
    """The known fields of an action's `widget` metadata, with their expected types only."""
    if not isinstance(metadata, dict):
        return {}
    return {
        key: value
        for key, kind in WIDGET_FIELDS.items()
        if isinstance((value := metadata.get(key)), kind)
    }


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output, plus the `widget` metadata of each message. An agent's reply
    is sent as the agent wrote it (`text`): the widget shows their name above it, where other
    channels get "Julie (service client) : …"."""

    _widget: Dict[str, Any] | None = None

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        info = widget_info(message.get(WIDGET_KEY))
        if info.get("text") and message.get("text"):
            message = {**message, "text": info.pop("text")}
        info.pop("text", None)
        self._widget = info or None
        try:
            await super().send_response(recipient_id, message)
        finally:
            self._widget = None

    async def _send_message(self, socket_id: str, response: Any) -> None:
        if self._widget and isinstance(response, dict):
            response = {**response, WIDGET_KEY: self._widget}
        await super()._send_message(socket_id, response)


class SocketIOInput(RasaSocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        """For the back office's messages (trigger_intent, output channel "latest")."""
        if self.sio is None:
            return super().get_output_channel()
        return WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()
        ids = edge.WebConversationIds.from_environment()
        # socket id -> the conversation this server gave it (per process, like the sockets)
        conversations: Dict[str, str] = {}

        async def session_request(sid: str, data: Any) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            conversation, clear = ids.resume(wanted, erased)
            conversations[sid] = conversation
            # Always a room named after the conversation: answers and agents' replies go there.
            joined = sio.enter_room(sid, conversation, namespace=self.namespace)
            if inspect.isawaitable(joined):  # python-socketio >= 5.10
                await joined
            if clear:  # before the new id, so that the widget saves it with an empty history
                # not the erased id: the register keeps only keyed hashes of those
                logger.info("erased conversation: the widget starts again as %s", conversation)
                await sio.emit("clear_history", room=sid, namespace=self.namespace)
            await sio.emit("session_confirm", conversation, room=sid, namespace=self.namespace)

        async def handle_message(sid: str, data: Any) -> None:
            conversation = conversations.get(sid)
            if conversation is None:
                logger.warning("socket.io message before session_request ignored (sid %s)", sid)
                return
            text = edge.clean_text(data.get("message") if isinstance(data, dict) else None)
            if not text.strip():
                return
            if edge.too_long(text):
                await sio.emit(
                    self.bot_message_evt,
                    {"text": edge.too_long_reply(len(text))},
                    room=sid,
                    namespace=self.namespace,
                )
                return
            metadata = {"client_ip": self._client_ip(sid)}
            output = WidgetOutput(sio, self.bot_message_evt)
            await on_new_message(
                UserMessage(
                    text, output, conversation, input_channel=self.name(), metadata=metadata
                )
            )

        async def disconnect(sid: str, *_: Any) -> None:
            conversations.pop(sid, None)

        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        sio.on("disconnect", disconnect, namespace=self.namespace)
        return blueprint

    def _client_ip(self, sid: str) -> str | None:
        assert self.sio is not None
        environ = self.sio.get_environ(sid, namespace=self.namespace) or {}
        request = environ.get("sanic.request")
        if request is None:
            return None
        return edge.client_address(request.ip, request.headers)
