"""When the bot cannot go on with an order itself: the shop's system is down, or the proof of
ownership failed too many times. It says so, then hands the shopper to a person
(actions/handoff.py), who can check by other means."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off
from bot.clients.backoffice.models import Reason
from bot.core import replies


async def shop_down(
    dispatcher: CollectingDispatcher, tracker: Tracker, end_form: bool = True
) -> List[EventType]:
    """The shop's API is failing: nothing the bot can do about an order, a person can.
    `end_form=False` inside a form's validation (see `hand_off`)."""
    dispatcher.utter_message(text=replies.SHOP_DOWN)
    return await hand_off(dispatcher, tracker, Reason.shop_down, end_form)


async def verification_locked(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Third failed proof of ownership: the bot stops asking; a person can check by other means."""
    dispatcher.utter_message(text=replies.VERIFICATION_LOCKED)
    return await hand_off(dispatcher, tracker, Reason.verification)
