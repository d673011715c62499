"""Problem reports: damaged, missing or wrong item; the shop decides re-ship or refund."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_shop, facts, shop
from actions.confirmation import last_bot_step, opening_words
from actions.orders import PARCEL_NOT_FOUND
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import ClaimKind, Verification
from bot.core.shopper_replies import claim_kind
from bot.dialogue.texts import safe

CLAIM_KINDS = {kind.value for kind in ClaimKind}
RESET = [SlotSet("claim_type", None), SlotSet("confirmed", None)]
SHIPPED = ("shipped", "out_for_delivery", "delivered", "delayed", "returned")
RESOLUTIONS = {
    "reship": "Nous vous renvoyons l'article sans frais dès aujourd'hui.",
    "refund": "Nous vous remboursons l'article sous 14 jours au plus.",
    "investigation": (
        "Nous ouvrons une enquête auprès du transporteur ; réponse sous 48 h ouvrées par e-mail."
    ),
}


class ValidateProblemReportForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_problem_report_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["claim_type", "confirmed"] if facts(tracker).get("status") in SHIPPED else []

    async def extract_claim_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The problem, pressed ("Article abîmé") or in words, at any turn of the report: a
        first message that already says "deux verres cassés" is not asked again."""
        if tracker.get_slot("claim_type"):
            return {}
        pressed = next(tracker.get_latest_entity_values("claim_type"), None)
        kind = (
            pressed
            if pressed in CLAIM_KINDS
            else claim_kind(tracker.latest_message.get("text") or "")
        )
        if kind is None and last_bot_step(tracker) == PARCEL_NOT_FOUND:
            kind = "missing"  # "toujours rien" after the checks of a parcel marked delivered
        return {"claim_type": kind} if kind else {}


class ActionCreateClaim(VerifiedOrderAction):
    def name(self) -> str:
        return "action_create_claim"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        if facts(tracker).get("status") not in SHIPPED:
            dispatcher.utter_message(
                text=(
                    f"La commande {number} n'a pas encore été expédiée, il n'y a donc pas "
                    "de colis à signaler. Voulez-vous suivre sa préparation ?"
                ),
                buttons=[{"title": "Suivre ma commande", "payload": "/track_order"}],
            )
            return RESET
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(text="C'est noté : aucune réclamation n'a été ouverte.")
            return RESET
        kind = ClaimKind(tracker.get_slot("claim_type"))
        description = " ".join(opening_words(tracker, "problem_report").split())[:500]
        claim = await call_shop(
            tracker, "claim", shop().create_claim, number, proof, kind, description
        )
        dispatcher.utter_message(
            text=(
                f"Je suis désolé pour ce désagrément. Votre réclamation est enregistrée sous "
                f"la référence {claim.reference}. "
                f"{RESOLUTIONS.get(claim.resolution, safe(claim.message, 300))}"
            )
        )
        return RESET
