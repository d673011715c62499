"""Facebook Messenger connector: Rasa's facebook channel, made strict and testable.

In `credentials.yml` (see docs/channels.md; `python -m bot.rasa.channels.credentials` writes it):

    bot.rasa.channels.messenger.MessengerInput:
      verify: ${COMPTOIR_MESSENGER_VERIFY_TOKEN}       # chosen by you, typed in the app settings
      secret: ${COMPTOIR_MESSENGER_APP_SECRET}         # the Meta app's secret
      page-access-token: ${COMPTOIR_MESSENGER_PAGE_TOKEN}
      graph_url: ${COMPTOIR_MESSENGER_GRAPH_URL}       # optional, default https://graph.facebook.com
      api_version: ${COMPTOIR_MESSENGER_API_VERSION}   # optional, default v23.0

What changes from `rasa.core.channels.facebook.FacebookInput`:
- every POST must carry `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app
  secret>`; missing or wrong -> 403 and nothing processed (Rasa answered 200 and checked the old
  SHA-1 header);
- the verification handshake answers the challenge only for `hub.mode=subscribe` and the right
  token, 403 otherwise;
- every event of a batched body is handled (Rasa stopped at the first), echoes and retries are
  dropped, attachments get a polite "write it in words";
- buttons are quick replies (13 at most, Messenger's limit), not a 3-button template;
- Graph API calls run off the event loop, with timeouts, and go to a configurable base URL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List

import requests
from fbmessenger import MessengerClient
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput, MessengerBot
from requests.adapters import HTTPAdapter
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from urllib3.util.retry import Retry

from bot.core import channels, edge, replies

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
DEFAULT_GRAPH_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v23.0"
TIMEOUT = (3.05, 10.0)  # connect, read (seconds)


class GraphSession(requests.Session):
    """fbmessenger passes timeout=None: give every call a timeout, and retry connection
    failures (nothing was sent) twice."""

    def __init__(self) -> None:
        super().__init__()
        retry = Retry(total=2, connect=2, read=0, status=0, other=0, backoff_factor=0.2)
        self.mount("https://", HTTPAdapter(max_retries=retry))
        self.mount("http://", HTTPAdapter(max_retries=retry))

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = TIMEOUT
        return super().request(*args, **kwargs)


def graph_client(
    page_token: str, app_secret: str, graph_url: str, api_version: str
) -> MessengerClient:
    client = MessengerClient(page_token, app_secret=app_secret, session=GraphSession())
    version = api_version if api_version.startswith("v") else f"v{api_version}"
    client.graph_url = f"{graph_url.rstrip('/')}/{version}"  # fbmessenger hard-codes Meta's host
    return client


class MessengerOutput(MessengerBot):
    """Sends the assistant's messages to a Messenger user (recipient: the page-scoped id)."""

    @classmethod
    def name(cls) -> str:
        return "facebook"

    async def _graph(self, what: str, recipient_id: str, call: Callable[[], Any]) -> None:
        """One Send API call, off the event loop; failures are logged, never raised."""
        start = time.perf_counter()
        outcome = "ok"
        try:
            answer = await asyncio.to_thread(call)
            if isinstance(answer, dict) and answer.get("error"):
                error = answer["error"]
                outcome = f"error {error.get('code')}: {error.get('message')}"
        except (requests.RequestException, ValueError) as error:
            outcome = f"error {type(error).__name__}"
        finally:
            log = logger.info if outcome == "ok" else logger.warning
            log(
                "messenger %s conversation=%s outcome=%s latency_ms=%.0f",
                what,
                recipient_id,
                outcome,
                (time.perf_counter() - start) * 1000,
            )

    async def _message(
        self, recipient_id: str, message: Dict[str, Any], tag: str | None = None
    ) -> None:
        """A reply (RESPONSE), or with `tag` a message the shop sends first (MESSAGE_TAG:
        e.g. POST_PURCHASE_UPDATE for a delivery delay, bot.core.channels.NOTICE_TAG)."""
        psid = channels.native_id(channels.MESSENGER_PREFIX, recipient_id)
        kind = "MESSAGE_TAG" if tag else "RESPONSE"
        await self._graph(
            "send",
            recipient_id,
            lambda: self.messenger_client.send(message, psid, kind, tag=tag),
        )

    async def send_action(self, recipient_id: str, sender_action: str) -> None:
        psid = channels.native_id(channels.MESSENGER_PREFIX, recipient_id)
        await self._graph(
            sender_action,
            recipient_id,
            lambda: self.messenger_client.send_action(sender_action, psid),
        )

    async def _texts(
        self,
        recipient_id: str,
        text: str,
        last: Dict[str, Any] | None = None,
        tag: str | None = None,
    ) -> None:
        pieces = channels.chunks(text, channels.MESSENGER_TEXT_LIMIT)
        for number, piece in enumerate(pieces, start=1):
            message: Dict[str, Any] = {"text": piece or "…"}
            if number == len(pieces) and last:
                message.update(last)
            await self._message(recipient_id, message, tag)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._texts(recipient_id, text or "", tag=kwargs.get(channels.TAG_KEY))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        links = [b for b in buttons if b.get("url")]
        if links:  # quick replies cannot open a page: a button template can (3 buttons at most)
            template = [
                {
                    "type": "web_url",
                    "url": b["url"],
                    "title": channels.short_title(str(b.get("title") or b["url"])),
                }
                for b in links[:3]
            ]
            await self._message(
                recipient_id,
                {
                    "attachment": {
                        "type": "template",
                        "payload": {
                            "template_type": "button",
                            "text": (text or "")[:640] or "…",
                            "buttons": template,
                        },
                    }
                },
            )
            buttons = [b for b in buttons if not b.get("url")]
            if not buttons:
                return
            text = ""
        body, quick = channels.messenger_options(text or "", buttons)
        last = {"quick_replies": quick} if quick else None
        await self._texts(recipient_id, body or "…", last, tag=kwargs.get(channels.TAG_KEY))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._message(
            recipient_id,
            {"attachment": {"type": "image", "payload": {"url": image, "is_reusable": True}}},
        )

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        elements = list(elements)
        for element in elements:
            if "buttons" in element:
                self._add_postback_info(element["buttons"])
        await self._message(
            recipient_id,
            {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "generic", "elements": elements},
                }
            },
        )

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        """Only `{"messenger": <Send API message>}` is sent; other custom payloads are meant
        for other channels (the web widget)."""
        if isinstance(json_message, dict) and isinstance(json_message.get("messenger"), dict):
            await self._message(recipient_id, json_message["messenger"])
        else:
            logger.debug("messenger custom payload not sent conversation=%s", recipient_id)


class MessengerInput(FacebookInput):
    """Receives Messenger webhooks on `/webhooks/facebook/webhook`."""

    @classmethod
    def name(cls) -> str:
        return "facebook"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        values = {
            key: str(credentials.get(key) or "").strip()
            for key in ("verify", "secret", "page-access-token", "graph_url", "api_version")
        }
        missing = [key for key in ("verify", "secret", "page-access-token") if not values[key]]
        if missing:
            raise ValueError(
                f"Messenger channel: empty {', '.join(missing)}; refusing to run "
                "without the verify token, the app secret and the page token"
            )
        return cls(
            values["verify"],
            values["secret"],
            values["page-access-token"],
            values["graph_url"] or DEFAULT_GRAPH_URL,
            values["api_version"] or DEFAULT_API_VERSION,
        )

    def __init__(
        self,
        fb_verify: str,
        fb_secret: str,
        fb_access_token: str,
        graph_url: str = DEFAULT_GRAPH_URL,
        api_version: str = DEFAULT_API_VERSION,
    ) -> None:
        super().__init__(fb_verify, fb_secret, fb_access_token)
        self.graph_url = graph_url
        self.api_version = api_version
        self.seen = channels.SeenIds()
        self._client: MessengerClient | None = None

    @staticmethod
    def validate_hub_signature(
        app_secret: str, request_payload: bytes, hub_signature_header: str
    ) -> bool:
        return channels.valid_hub_signature(app_secret, request_payload, hub_signature_header)

    def get_output_channel(self) -> OutputChannel:
        if self._client is None:  # one HTTP session (and its connection pool) per process
            self._client = graph_client(
                self.fb_access_token, self.fb_secret, self.graph_url, self.api_version
            )
        return MessengerOutput(self._client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("comptoir_messenger", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if request.args.get("hub.mode") == "subscribe" and channels.same_secret(
                self.fb_verify, request.args.get("hub.verify_token")
            ):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning(
                "messenger verification refused: wrong mode or verify token (from %s)", request.ip
            )
            return response.text("forbidden", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.validate_hub_signature(
                self.fb_secret, request.body, request.headers.get(SIGNATURE_HEADER) or ""
            ):
                logger.warning(
                    "messenger webhook rejected: missing or wrong %s (from %s)",
                    SIGNATURE_HEADER,
                    request.ip,
                )
                return response.text("forbidden", status=403)
            try:
                payload = json.loads(request.body)
            except ValueError as error:
                logger.warning("messenger webhook rejected: malformed JSON (%s)", error)
                return response.text("malformed JSON", status=400)
            if not isinstance(payload, dict) or payload.get("object") != "page":
                return response.text("not a page event", status=404)
            await self.handle(payload, on_new_message)
            return response.text("EVENT_RECEIVED")

        return webhook

    async def handle(
        self, payload: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        for event in channels.messaging_events(payload):
            text = channels.messenger_text(event)
            psid = str((event.get("sender") or {}).get("id") or "")
            if text is None or not psid:
                continue
            mid = (event.get("message") or {}).get("mid")
            if mid and not self.seen.first_time(mid):
                logger.info("messenger message %s already handled", mid)
                continue
            sender = channels.conversation_id(channels.MESSENGER_PREFIX, psid)
            out = self.get_output_channel()
            assert isinstance(out, MessengerOutput)
            text = edge.clean_text(text)
            if not text.strip():
                await out.send_text_message(sender, replies.NOT_TEXT)
                continue
            if edge.too_long(text):
                await out.send_text_message(sender, edge.too_long_reply(len(text)))
                continue
            await out.send_action(sender, "mark_seen")
            await out.send_action(sender, "typing_on")
            metadata = {
                "messenger": {"psid": psid, "page_id": (event.get("recipient") or {}).get("id")}
            }
            start = time.perf_counter()
            try:
                await on_new_message(
                    UserMessage(text, out, sender, input_channel=self.name(), metadata=metadata)
                )
            except Exception:
                logger.exception("messenger message not handled conversation=%s", sender)
            finally:
                await out.send_action(sender, "typing_off")
                logger.info(
                    "messenger turn conversation=%s latency_ms=%.0f",
                    sender,
                    (time.perf_counter() - start) * 1000,
                )
