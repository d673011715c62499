"""Refund status of a verified order."""

from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import call_shop, facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import Verification
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
        refunds = await call_shop(tracker, "refunds", shop().refunds, number, proof)
        if refunds:
            dispatcher.utter_message(text=f"Pour la commande {number} :\n{refund_summary(refunds)}")
        elif facts(tracker).get("status") in ("delivered", "returned"):
            dispatcher.utter_message(
                text=(
                    f"Aucun remboursement n'est en cours pour la commande {number}. Si vous "
                    "avez renvoyé un article, le remboursement est lancé dès réception du "
                    "retour dans notre entrepôt (comptez 14 jours au plus)."
                ),
                buttons=[{"title": "Retourner un article", "payload": "/return_item"}],
            )
        else:
            dispatcher.utter_message(
                text=f"Aucun remboursement n'est prévu pour la commande {number}."
            )
        return []
