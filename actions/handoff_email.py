"""After hours, the agent's reply also by e-mail (issue 19): offered once per conversation when
a hand-off opens while the team is away, on the web widget only (the mail's link reopens a
widget conversation), and only when the back office can send mail (COMPTOIR_SMTP_HOST).

No form and no slot: while a hand-off is active the hand-off policy (bot/rasa/policies/
handoff.py) sends every shopper message to `action_relay_to_agent`, which outranks any form.
So the relay action answers the question itself, and the question's state lives in the
conversation: each message of this exchange carries `email` metadata ("offered", "asked",
"asked_again", "done") in its bot event, read back from the tracker. A state applies only to
the shopper's very next message; anything else they write goes to the agent as usual.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from bot.clients.backoffice.client import BackOfficeUnavailable
from bot.clients.backoffice.models import HandoffTicket
from bot.core import replies
from bot.core.edge import WEB_PREFIX
from bot.core.email_address import valid_address
from bot.core.handoff import is_external
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)
KEY = "email"  # the bot event's metadata key
OFFERED, ASKED, ASKED_AGAIN, DONE = "offered", "asked", "asked_again", "done"
BUTTONS = [replies.EMAIL_YES, replies.EMAIL_NO]


def kept_for(days: int) -> str:
    """The retention period in words: "6 mois", "45 jours"."""
    return f"{round(days / 30.4)} mois" if days >= 60 else f"{days} jours"


def already_offered(tracker: Tracker) -> bool:
    return any(
        e.get("event") == "bot" and (e.get("metadata") or {}).get(KEY) for e in tracker.events
    )


def may_offer(tracker: Tracker, ticket: HandoffTicket, settings: Settings) -> bool:
    return (
        bool(settings.smtp_host.strip())
        and not ticket.open_now
        and tracker.sender_id.startswith(WEB_PREFIX)
        and not already_offered(tracker)
    )


def offer(dispatcher: CollectingDispatcher, tracker: Tracker, ticket: HandoffTicket) -> None:
    """Right after the hand-off's message: the offer, when it applies."""
    settings = get_settings()
    if may_offer(tracker, ticket, settings):
        dispatcher.utter_message(
            text=replies.EMAIL_OFFER.format(kept=kept_for(settings.retention_conversations_days)),
            buttons=BUTTONS,
            **{KEY: OFFERED},
        )


def pending(tracker: Tracker) -> str | None:
    """The state the shopper's latest message answers: the last bot message is one of this
    exchange, and this is the first shopper message since."""
    said = 0
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user" and not is_external(event.get("text")):
            said += 1
            if said > 1:
                return None
        elif kind == "bot":
            step = (event.get("metadata") or {}).get(KEY)
            return step if step in (OFFERED, ASKED, ASKED_AGAIN) and said == 1 else None
    return None


def _say(dispatcher: CollectingDispatcher, text: str, step: str, **more: Any) -> list[Any]:
    dispatcher.utter_message(text=text, **more, **{KEY: step})
    return []


async def answer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[Any] | None:
    """The shopper's answer to the e-mail question, or None when their message is not one
    (the relay action then passes it to the agent)."""
    step = pending(tracker)
    if step is None:
        return None
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = tracker.latest_message.get("text") or ""
    if step == OFFERED:
        if intent == "affirm":
            return _say(dispatcher, replies.EMAIL_ASK, ASKED)
        if intent == "deny":
            return _say(dispatcher, replies.EMAIL_DECLINED, DONE)
        return None  # something for the agent: the offer lapses
    address = valid_address(text)
    if address is None:
        if intent == "deny":
            return _say(dispatcher, replies.EMAIL_DECLINED, DONE)
        if step == ASKED:
            return _say(dispatcher, replies.EMAIL_ASK_AGAIN, ASKED_AGAIN)
        return _say(dispatcher, replies.EMAIL_GIVEN_UP, DONE)
    try:
        await asyncio.to_thread(
            services.current().back_office.register_email, tracker.sender_id, address
        )
    except BackOfficeUnavailable:
        log.exception("reply address not registered conversation=%s", tracker.sender_id)
        return _say(dispatcher, replies.EMAIL_NOT_SAVED, DONE)
    log.info("reply address registered conversation=%s", tracker.sender_id)
    return _say(dispatcher, replies.EMAIL_GIVEN.format(email=address), DONE)
