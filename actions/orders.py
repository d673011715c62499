"""Order tracking: status, carrier, tracking link, last event, expected date."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HUMAN_BUTTON, call_shop, shop
from actions.confirmation import opening_words
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import OrderStatus, Verification
from bot.core.shopper_replies import parcel_not_received
from bot.dialogue.texts import tracking_summary

# Marked delivered, yet the shopper has nothing: where such parcels usually are, then a claim.
NOT_FOUND_CHECKS = (
    "Le transporteur l'indique comme livré. Un colis marqué livré se trouve "
    "souvent chez un voisin, dans la boîte aux lettres ou à l'accueil de "
    "l'immeuble, ou au point relais choisi. Si vous ne le trouvez toujours pas, "
    "j'ouvre une réclamation « colis non reçu »."
)
PARCEL_NOT_FOUND = "parcel_not_found"
NOT_FOUND_OPTIONS = [
    {"title": "Ouvrir une réclamation", "payload": "/problem_report"},
    HUMAN_BUTTON,
]
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
                text=(
                    "Je suis sincèrement désolé pour ce retard. Que préférez-vous : patienter "
                    "encore un peu, ouvrir une réclamation auprès du transporteur, ou parler à "
                    "un conseiller ?"
                ),
                buttons=DELAY_OPTIONS,
            )
        return []
