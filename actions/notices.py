"""Delay notices, the conversation's side: follow each order a shopper proves while it is on
its way, say a delay when the back office reports one (bot/backoffice/notices triggers
`order_delayed`), and stop on request.

Following is best effort: a back office that is down costs the shopper a notice, never an
answer. The notice carries Messenger's POST_PURCHASE_UPDATE tag, since the shop writes first;
the back office has already checked each channel's rules (24-hour window, a started bot, an
open widget) before triggering it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from bot.clients.backoffice.client import BackOfficeUnavailable
from bot.clients.shop.models import AWAITING_DELIVERY, Order
from bot.core import channels, replies
from bot.core.handoff import NOTIFY_DELAY_ACTION
from bot.dialogue.texts import french_date, one_line
from bot.settings import get_settings

log = logging.getLogger(__name__)


async def follow(tracker: Tracker, order: Order) -> None:
    """Ask the back office to tell this conversation if the order becomes late."""
    if order.status not in AWAITING_DELIVERY:
        return  # delivered, cancelled or returned: it cannot be late any more
    channel = tracker.get_latest_input_channel() or ""
    try:
        await asyncio.to_thread(
            services.current().back_office.watch, tracker.sender_id, order.number, channel
        )
    except BackOfficeUnavailable as error:
        log.warning(
            "order not followed for delay notices conversation=%s: %s", tracker.sender_id, error
        )


def _entity(tracker: Tracker, name: str) -> str:
    return str(next(tracker.get_latest_entity_values(name), None) or "").strip()


def notice_text(number: str, new_date: str) -> str:
    """The apology, the new date when the shop gave one, the choices."""
    try:
        when = replies.DELAY_NEW_DATE.format(date=french_date(date.fromisoformat(new_date), True))
    except ValueError:  # empty or not a date: say so rather than guess
        when = replies.DELAY_NO_DATE
    return replies.DELAY_NOTICE.format(number=one_line(number, 40), when=when)


class ActionNotifyDelay(Action):
    def name(self) -> str:
        return NOTIFY_DELAY_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        number = _entity(tracker, "order_number")
        if not number:
            log.error("order_delayed without an order number conversation=%s", tracker.sender_id)
            return []
        new_date = _entity(tracker, "delivery_date")
        dispatcher.utter_message(
            text=notice_text(number, new_date),
            buttons=[replies.WAIT, replies.OPEN_CLAIM, replies.HUMAN, replies.STOP_NOTICES],
            **{channels.TAG_KEY: channels.NOTICE_TAG},
        )
        # The number is kept for a claim; the proof of ownership is asked again if it lapsed.
        return [SlotSet("order_number", number)]


class ActionStopNotices(Action):
    def name(self) -> str:
        return "action_stop_notices"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        try:
            await asyncio.to_thread(services.current().back_office.stop_notices, tracker.sender_id)
        except BackOfficeUnavailable as error:
            log.warning("notices not stopped conversation=%s: %s", tracker.sender_id, error)
            dispatcher.utter_message(
                text=replies.NOTICES_NOT_STOPPED.format(email=get_settings().support_email)
            )
            return []
        dispatcher.utter_message(text=replies.NOTICES_STOPPED)
        return []
