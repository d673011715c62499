"""Order tracking: status, carrier, tracking link, last event, expected date."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HUMAN_BUTTON, call_shop, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.dialogue.texts import tracking_summary
from bot.shop.models import Verification

DELAY_OPTIONS = [
    {"title": "Je patiente", "payload": "/wait"},
    {"title": "Ouvrir une réclamation", "payload": "/problem_report"},
    HUMAN_BUTTON,
]


class ValidateTrackOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_track_order_form"


class ActionTrackOrder(VerifiedOrderAction):
    def name(self) -> str:
        return "action_track_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        tracking = await call_shop(tracker, "tracking", shop().tracking, number, proof)
        dispatcher.utter_message(text=tracking_summary(number, tracking))
        if tracking.delayed:
            dispatcher.utter_message(
                text=("Je suis sincèrement désolé pour ce retard. Que préférez-vous : patienter "
                      "encore un peu, ouvrir une réclamation auprès du transporteur, ou parler à "
                      "un conseiller ?"),
                buttons=DELAY_OPTIONS,
            )
        return []
