"""Cancellation: verify, check the shop allows it, ask for confirmation, cancel."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import HUMAN_BUTTON, call_shop, facts, remember
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import OrderStatus, Verification
from bot.core import replies
from bot.dialogue.texts import euros


class ValidateCancelOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_cancel_order_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["confirmed"] if facts(tracker).cancellable else []


class ActionCancelOrder(VerifiedOrderAction):
    def name(self) -> str:
        return "action_cancel_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        if facts(tracker).status is OrderStatus.CANCELLED:
            dispatcher.utter_message(text=replies.ALREADY_CANCELLED.format(number=number))
            return []
        if not facts(tracker).cancellable:
            dispatcher.utter_message(
                text=replies.CANNOT_CANCEL.format(number=number),
                buttons=[replies.TRACK_ORDER, HUMAN_BUTTON],
            )
            return []
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(response="utter_cancel_kept")
            return [SlotSet("confirmed", None)]
        order = await call_shop(
            tracker, "cancel", services.current().shop.cancel_order, number, proof
        )
        refund = next((r for r in order.refunds if r.status != "refunded"), None)
        text = replies.CANCELLED.format(number=number)
        if refund:
            text += replies.CANCEL_REFUND.format(amount=euros(refund.amount))
        dispatcher.utter_message(text=text)
        return [SlotSet("confirmed", None), remember(order)]
