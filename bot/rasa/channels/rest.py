"""Rasa's REST channel, kept for what it is for: tools, tests and a shop's own server.

In credentials.yml, in place of `rest:` (same URL, /webhooks/rest/webhook, same answers):

    bot.rasa.channels.rest.RestInput:

What changes from Rasa 3.6's `RestInput`:
- **Loopback only.** A request from another machine, or forwarded by a reverse proxy (it
  carries X-Forwarded-For or Forwarded), is refused (403): anyone who can reach this channel
  can speak in any conversation it names, so it must never be exposed.
- **No borrowed conversations.** A `sender` naming a Telegram, Messenger or widget conversation
  (`telegram-…`, `messenger-…`, `web-…`) is refused (400); so is an odd one (bot/core/edge.py).
- **Malformed bodies are a 400**, not a 500: the body must be a JSON object with a string
  `message` and, if given, an object `metadata`. The input channel is always "rest".
- **Bounded, clean text**: control characters removed; a message over 2,000 characters gets a
  French answer and is not processed. `metadata.client_ip` (the shopper's address, for the
  verification throttle) defaults to the caller's.
Runs in the Rasa environment (.venv-rasa, Python 3.10).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Tuple

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import edge

logger = logging.getLogger(__name__)


class BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def read_request(body: bytes) -> Tuple[str, str, Dict[str, Any]]:
    """(sender, message, metadata) of a REST body, or BadRequest saying what is wrong."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(400, "the body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest(400, "the body must be a JSON object")
    problem = edge.rest_sender_problem(data.get("sender"))
    if problem:
        raise BadRequest(400, problem)
    message = data.get("message")
    if not isinstance(message, str):
        raise BadRequest(400, "`message` must be a string")
    metadata = data.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadRequest(400, "`metadata` must be a JSON object")
    return data["sender"], edge.clean_text(message), metadata


def forwarded(request: Request) -> bool:
    return bool(request.headers.get("x-forwarded-for") or request.headers.get("forwarded"))


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("comptoir_rest", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not edge.is_loopback(request.ip) or forwarded(request):
                logger.warning("rest message refused: not from this machine (%s)", request.ip)
                return response.json(
                    {"error": "the REST channel only answers this machine"}, status=403
                )
            try:
                sender, text, metadata = read_request(request.body)
            except BadRequest as error:
                return response.json({"error": str(error)}, status=error.status)
            if edge.too_long(text):
                return response.json(
                    [{"recipient_id": sender, "text": edge.too_long_reply(len(text))}]
                )
            metadata.setdefault("client_ip", request.ip)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender, input_channel=self.name(), metadata=metadata
                    )
                )
            except Exception:
                logger.exception("rest message not handled conversation=%s", sender)
            return response.json(collector.messages)

        return webhook
