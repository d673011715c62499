"""Refund status of a verified order."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import call_shop, facts
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import RECEIVED, Verification
from bot.core import replies
from bot.dialogue.texts import refund_summary


class ValidateRefundStatusForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_refund_status_form"


class ActionRefundStatus(VerifiedOrderAction):
    def name(self) -> str:
        return "action_refund_status"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        refunds = await call_shop(
            tracker, "refunds", services.current().shop.refunds, number, proof
        )
        if refunds:
            dispatcher.utter_message(
                text=replies.REFUNDS_OF_ORDER.format(number=number, refunds=refund_summary(refunds))
            )
        elif facts(tracker).status in RECEIVED:
            dispatcher.utter_message(
                text=replies.NO_REFUND_YET.format(number=number),
                buttons=[replies.RETURN_ITEM],
            )
        else:
            dispatcher.utter_message(text=replies.NO_REFUND.format(number=number))
        return []
