"""The Telegram input and output channels (Rasa server side).

Telegram posts updates to `/webhooks/telegram/webhook` with the secret in the
`X-Telegram-Bot-Api-Secret-Token` header: a missing or wrong secret gets 403 and nothing is
processed. Replies are plain text, sent as the actions wrote them (no parse_mode, so nothing a
shopper wrote is ever interpreted as markup, and nothing needs escaping or unescaping); buttons
become an inline keyboard whose presses are answered. Private chats only: order details are never
shown in a group.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError

from bot.core import channels, edge, replies
from bot.rasa.channels.telegram.api import DEFAULT_BASE_URL, SECRET_HEADER, make_bot

logger = logging.getLogger(__name__)


class TelegramOutput(OutputChannel):
    """Sends the assistant's messages to a Telegram chat."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, bot: Bot) -> None:
        super().__init__()
        self.bot = bot

    async def _call(self, what: str, recipient_id: str, call: Callable[[], Awaitable[Any]]) -> Any:
        """One Bot API call: logged with the conversation and the latency; a failure (shopper
        blocked the bot, Telegram down) is logged and does not break the conversation."""
        start = time.perf_counter()
        outcome = "ok"
        try:
            return await call()
        except TelegramError as error:
            outcome = f"error {type(error).__name__}: {error}"
            return None
        finally:
            log = logger.info if outcome == "ok" else logger.warning
            log(
                "telegram %s conversation=%s outcome=%s latency_ms=%.0f",
                what,
                recipient_id,
                outcome,
                (time.perf_counter() - start) * 1000,
            )

    @staticmethod
    def chat_id(recipient_id: str) -> str:
        return channels.native_id(channels.TELEGRAM_PREFIX, recipient_id)

    async def typing(self, recipient_id: str) -> None:
        chat = self.chat_id(recipient_id)
        await self._call(
            "sendChatAction",
            recipient_id,
            lambda: self.bot.send_chat_action(chat, ChatAction.TYPING),
        )

    async def _send_text(
        self, recipient_id: str, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        chat = self.chat_id(recipient_id)
        pieces = channels.chunks(text or "", channels.TELEGRAM_TEXT_LIMIT)
        for number, piece in enumerate(pieces, start=1):
            keyboard = markup if number == len(pieces) else None
            # no parse_mode: Telegram shows the text exactly as it is (were one ever set to HTML,
            # the text would have to be escaped here, and only here)
            await self._call(
                "sendMessage",
                recipient_id,
                functools.partial(self.bot.send_message, chat, piece or "…", reply_markup=keyboard),
            )

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._send_text(recipient_id, text)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_text(recipient_id, text, keyboard(buttons))

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._send_text(recipient_id, text, keyboard(quick_replies))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        chat = self.chat_id(recipient_id)
        await self._call("sendPhoto", recipient_id, lambda: self.bot.send_photo(chat, image))

    async def send_custom_json(self, recipient_id: str, json_message: Any, **kwargs: Any) -> None:
        # Custom payloads are meant for the web widget; a JSON dump means nothing to a shopper.
        logger.debug("telegram custom payload not sent conversation=%s", recipient_id)


def keyboard(buttons: List[Dict[str, Any]]) -> InlineKeyboardMarkup | None:
    """Rasa buttons as an inline keyboard, one button per row (French titles are long)."""
    rows = []
    for position, button in enumerate(buttons):
        title = str(button.get("title") or button.get("payload") or "").strip()
        if not title:
            continue
        if button.get("url"):
            rows.append([InlineKeyboardButton(title, url=str(button["url"]))])
        else:
            payload = str(button.get("payload") or title)
            rows.append(
                [
                    InlineKeyboardButton(
                        title, callback_data=channels.callback_data(payload, position)
                    )
                ]
            )
    return InlineKeyboardMarkup(rows) if rows else None


def pressed_title(message: Any, position: int) -> str | None:
    """The title of the button at `position` of the keyboard a callback query came from."""
    markup = getattr(message, "reply_markup", None)
    if not isinstance(message, Message) or markup is None:
        return None
    buttons = [button for row in markup.inline_keyboard for button in row]
    return buttons[position].text if 0 <= position < len(buttons) else None


class TelegramInput(InputChannel):
    """Receives Telegram updates on `/webhooks/telegram/webhook`."""

    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        token = str(credentials.get("access_token") or "").strip()
        secret = str(credentials.get("secret_token") or "").strip()
        if not token:
            raise ValueError("Telegram channel: `access_token` (the BotFather token) is empty")
        if not channels.TELEGRAM_SECRET_RE.match(secret):
            raise ValueError(
                "Telegram channel: `secret_token` must be 1-256 characters among "
                "A-Z a-z 0-9 _ - (Telegram's rule); refusing to run without it"
            )
        return cls(token, secret, str(credentials.get("base_url") or "").strip() or None)

    def __init__(self, access_token: str, secret_token: str, base_url: str | None = None) -> None:
        self.access_token = access_token
        self.secret_token = secret_token
        self.base_url = base_url or DEFAULT_BASE_URL
        self._bot: Bot | None = None
        self.seen = channels.SeenIds()

    @property
    def bot(self) -> Bot:
        """Built on first use, inside the server's event loop."""
        if self._bot is None:
            self._bot = make_bot(self.access_token, self.base_url)
        return self._bot

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.bot)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("comptoir_telegram", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not channels.same_secret(self.secret_token, request.headers.get(SECRET_HEADER)):
                logger.warning(
                    "telegram webhook rejected: missing or wrong secret token (from %s)", request.ip
                )
                return response.json({"ok": False, "error": "forbidden"}, status=403)
            try:
                update = Update.de_json(json.loads(request.body), self.bot)
            except Exception as error:  # malformed JSON or not an Update
                # the type only: the error's text may quote the update, i.e. the message
                logger.warning(
                    "telegram webhook rejected: malformed update (%s)", type(error).__name__
                )
                return response.json({"ok": False, "error": "malformed update"}, status=400)
            if not self.seen.first_time(update.update_id):
                logger.info("telegram update %s already handled", update.update_id)
            else:
                await self.handle(update, on_new_message)
            return response.json({"ok": True})

        @webhook.listener("after_server_stop")
        async def close(*_: Any) -> None:
            if self._bot is not None:
                await self._bot.shutdown()

        return webhook

    async def handle(
        self, update: Update, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Turn one update into a user message; ignore what a shopper did not write."""
        out = TelegramOutput(self.bot)
        text: str | None = None
        user: User | None  # a channel post has no sender
        if update.callback_query is not None:
            query = update.callback_query
            message = query.message
            # stops the spinner on the button, whatever happens next
            where = channels.conversation_id(
                channels.TELEGRAM_PREFIX, message.chat.id if message else query.from_user.id
            )
            await out._call(
                "answerCallbackQuery", where, lambda: self.bot.answer_callback_query(query.id)
            )
            if message is None or message.chat.type != ChatType.PRIVATE:
                return
            chat, user, data = message.chat, query.from_user, query.data or ""
            position = channels.title_position(data)
            text = pressed_title(message, position) if position is not None else data
            if not text:
                return
        elif update.message is not None:
            message = update.message
            chat, user = message.chat, message.from_user
            if chat.type != ChatType.PRIVATE:
                logger.info("telegram message from a %s chat ignored", chat.type)
                return
            if message.text:
                text = channels.telegram_command(message.text) or message.text
            elif message.caption:
                text = message.caption
        else:  # edited messages, member updates...: nothing to answer
            return

        sender = channels.conversation_id(channels.TELEGRAM_PREFIX, chat.id)
        text = edge.clean_text(text)
        if not text.strip():
            await out.send_text_message(sender, replies.NOT_TEXT)
            return
        if edge.too_long(text):
            await out.send_text_message(sender, edge.too_long_reply(len(text)))
            return
        await out.typing(sender)
        metadata = {
            "telegram": {
                "chat_id": chat.id,
                "first_name": getattr(user, "first_name", None),
                "language_code": getattr(user, "language_code", None),
            }
        }
        start = time.perf_counter()
        try:
            await on_new_message(
                UserMessage(text, out, sender, input_channel=self.name(), metadata=metadata)
            )
        except Exception:
            logger.exception("telegram message not handled conversation=%s", sender)
        finally:
            logger.info(
                "telegram turn conversation=%s latency_ms=%.0f",
                sender,
                (time.perf_counter() - start) * 1000,
            )
