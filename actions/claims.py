"""Problem reports: damaged, missing or wrong item; the shop decides re-ship or refund."""
from __future__ import annotations

from typing import List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import call_shop, facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.dialogue.texts import safe
from bot.shop.models import ClaimKind, Verification

SHIPPED = ("shipped", "out_for_delivery", "delivered", "delayed", "returned")
RESOLUTIONS = {
    "reship": "Nous vous renvoyons l'article sans frais dès aujourd'hui.",
    "refund": "Nous vous remboursons l'article sous 14 jours au plus.",
    "investigation": ("Nous ouvrons une enquête auprès du transporteur ; réponse sous 48 h "
                      "ouvrées par e-mail."),
}


class ValidateProblemReportForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_problem_report_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["claim_type"] if facts(tracker).get("status") in SHIPPED else []


class ActionCreateClaim(VerifiedOrderAction):
    def name(self) -> str:
        return "action_create_claim"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        if facts(tracker).get("status") not in SHIPPED:
            dispatcher.utter_message(
                text=(f"La commande {number} n'a pas encore été expédiée, il n'y a donc pas "
                      "de colis à signaler. Voulez-vous suivre sa préparation ?"),
                buttons=[{"title": "Suivre ma commande", "payload": "/track_order"}])
            return [SlotSet("claim_type", None)]
        kind = ClaimKind(tracker.get_slot("claim_type"))
        description = safe(first_request_text(tracker), 500)
        claim = await call_shop(tracker, "claim", shop().create_claim, number, proof, kind,
                                description)
        dispatcher.utter_message(
            text=(f"Je suis désolé pour ce désagrément. Votre réclamation est enregistrée sous "
                  f"la référence {claim.reference}. "
                  f"{RESOLUTIONS.get(claim.resolution, safe(claim.message, 300))}"))
        return [SlotSet("claim_type", None)]


def first_request_text(tracker: Tracker) -> str:
    """The shopper's own words for the problem: the message that opened the report."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("parse_data", {}).get("intent", {})
                                            .get("name") == "problem_report"):
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""
