"""When the bot cannot go on with an order itself: the shop's system is down, its platform
cannot do what is asked, or the proof of ownership failed too many times. It says so, then
hands the shopper to a person (actions/handoff.py), who can check by other means."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off
from bot.clients.backoffice.models import Reason
from bot.clients.shop.contract import NotSupported
from bot.core import replies


async def shop_down(
    dispatcher: CollectingDispatcher, tracker: Tracker, end_form: bool = True
) -> List[EventType]:
    """The shop's API is failing: nothing the bot can do about an order, a person can.
    `end_form=False` inside a form's validation (see `hand_off`)."""
    dispatcher.utter_message(text=replies.SHOP_DOWN)
    return await hand_off(dispatcher, tracker, Reason.shop_down, end_form)


async def not_supported(
    dispatcher: CollectingDispatcher, tracker: Tracker, error: NotSupported
) -> List[EventType]:
    """The shop's platform cannot do this through its API: a person of the shop does it."""
    dispatcher.utter_message(text=str(error))
    return await hand_off(dispatcher, tracker, Reason.not_supported)


async def verification_locked(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Third failed proof of ownership: the bot stops asking; a person can check by other means."""
    dispatcher.utter_message(text=replies.VERIFICATION_LOCKED)
    return await hand_off(dispatcher, tracker, Reason.verification)
