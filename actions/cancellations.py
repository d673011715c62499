"""Cancellation: verify, check the shop allows it, ask for confirmation, cancel."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import HUMAN_BUTTON, call_shop, facts, order_facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import Verification
from bot.dialogue.texts import euros

TRACK_BUTTON = {"title": "Suivre ma commande", "payload": "/track_order"}


class ValidateCancelOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_cancel_order_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["confirmed"] if facts(tracker).get("cancellable") else []


class ActionCancelOrder(VerifiedOrderAction):
    def name(self) -> str:
        return "action_cancel_order"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        status = facts(tracker).get("status")
        if status == "cancelled":
            dispatcher.utter_message(text=f"La commande {number} est déjà annulée.")
            return []
        if not facts(tracker).get("cancellable"):
            dispatcher.utter_message(
                text=(
                    f"La commande {number} est déjà partie de notre entrepôt : je ne peux plus "
                    "l'annuler. Une fois le colis reçu, vous pourrez la retourner gratuitement "
                    "sous 14 jours et être remboursé(e)."
                ),
                buttons=[TRACK_BUTTON, HUMAN_BUTTON],
            )
            return []
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(response="utter_cancel_kept")
            return [SlotSet("confirmed", None)]
        order = await call_shop(tracker, "cancel", shop().cancel_order, number, proof)
        refund = next((r for r in order.refunds if r.status != "refunded"), None)
        text = f"C'est fait : la commande {number} est annulée."
        if refund:
            text += (
                f" Vous serez remboursé(e) de {euros(refund.amount)} sur votre moyen de "
                "paiement d'origine sous 14 jours au plus."
            )
        dispatcher.utter_message(text=text)
        return [SlotSet("confirmed", None), SlotSet("order_facts", order_facts(order))]
