"""Order tracking: status, carrier, tracking link, last event, expected date."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import HUMAN_BUTTON, call_shop
from actions.confirmation import opening_words
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import OrderStatus, Verification
from bot.core import replies
from bot.core.shopper_replies import parcel_not_received
from bot.dialogue.texts import tracking_summary

# Marked delivered, yet the shopper has nothing: where such parcels usually are, then a claim.
NOT_FOUND_CHECKS = replies.PARCEL_NOT_FOUND_CHECKS
PARCEL_NOT_FOUND = "parcel_not_found"
NOT_FOUND_OPTIONS = [replies.OPEN_CLAIM, HUMAN_BUTTON]
DELAY_OPTIONS = [replies.WAIT, replies.OPEN_CLAIM, HUMAN_BUTTON]


class ValidateTrackOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_track_order_form"


class ActionTrackOrder(VerifiedOrderAction):
    def name(self) -> str:
        return "action_track_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        tracking = await call_shop(
            tracker, "tracking", services.current().shop.tracking, number, proof
        )
        dispatcher.utter_message(text=tracking_summary(number, tracking))
        if tracking.status == OrderStatus.DELIVERED and parcel_not_received(
            opening_words(tracker, "track_order")
        ):
            # `step` lands in the bot event's metadata: a reply to this is a claim to open
            # (bot/rasa/policies/turns.py).
            dispatcher.utter_message(
                text=NOT_FOUND_CHECKS, buttons=NOT_FOUND_OPTIONS, step=PARCEL_NOT_FOUND
            )
        elif tracking.delayed:
            dispatcher.utter_message(
                text=replies.DELAY_APOLOGY,
                buttons=DELAY_OPTIONS,
            )
        return []
