"""A shopper's text never becomes an internal intent.

Rasa reads any message that starts with "/" as an intent with entities (`/agent_reply{"agent_text":
"…"}`), whoever typed it. Buttons need that: their payloads are such messages. So a message
starting with "/" keeps that meaning only when it is the payload of a button the bot offered
since the shopper's previous message (or one of `PUBLIC_PAYLOADS`); otherwise the slash is
dropped and the NLU reads the words like any other text. The back office's intents
(`agent_reply`, `handoff_resolved`…) reach Rasa only through its HTTP API (`trigger_intent`,
with the API token), which does not go through here. Every channel passes through here.
"""

from __future__ import annotations

import copy
from typing import Any, Iterable, Set

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

# What a channel itself may send: Telegram's /start and /aide (bot/core/channels.py).
PUBLIC_PAYLOADS = frozenset({"/greet"})


def offered_payloads(events: Iterable[Any]) -> Set[str]:
    """Payloads of the buttons the bot sent since the shopper's last message."""
    payloads: Set[str] = set()
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered):
            for button in (event.data or {}).get("buttons") or []:
                if isinstance(button, dict) and isinstance(button.get("payload"), str):
                    payloads.add(button["payload"].strip())
    return payloads


def guarded_text(text: str | None, tracker: DialogueStateTracker | None) -> str | None:
    """The text the NLU should read: `text` itself, or without its leading slashes when it
    would otherwise be an intent the shopper was not offered."""
    if not text or not text.lstrip().startswith("/"):
        return text
    stripped = text.strip()
    if stripped in PUBLIC_PAYLOADS:
        return text
    if tracker is not None and stripped in offered_payloads(tracker.events):
        return text
    return text.lstrip().lstrip("/") or "?"


def install() -> None:
    """Wrap `MessageProcessor.parse_message`, through which every channel's message goes
    before the NLU. Messages parsed without a tracker (the token-protected `/model/parse`
    API) are left alone. The tracker keeps what the shopper typed."""
    original = MessageProcessor.parse_message
    if getattr(original, "comptoir_guard", False):
        return

    async def parse_message(
        self: MessageProcessor,
        message: UserMessage,
        tracker: DialogueStateTracker | None = None,
        only_output_properties: bool = True,
    ) -> Any:
        text = guarded_text(message.text, tracker) if tracker is not None else message.text
        if text == message.text:
            return await original(self, message, tracker, only_output_properties)
        words = copy.copy(message)
        words.text = text
        parse_data = await original(self, words, tracker, only_output_properties)
        parse_data["text"] = message.text  # relays and transcripts show what was typed
        return parse_data

    parse_message.comptoir_guard = True  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
