"""Problem reports: damaged, missing or wrong item; the shop decides re-ship or refund."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.common import call_shop, facts
from actions.confirmation import last_bot_step, opening_words
from actions.orders import PARCEL_NOT_FOUND
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.clients.shop.models import DISPATCHED, ClaimKind, Verification
from bot.core import replies
from bot.core.shopper_replies import claim_kind
from bot.dialogue.texts import one_line

CLAIM_KINDS = {kind.value for kind in ClaimKind}
RESET = [SlotSet("claim_type", None), SlotSet("confirmed", None)]


class ValidateProblemReportForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_problem_report_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["claim_type", "confirmed"] if facts(tracker).status in DISPATCHED else []

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
        if facts(tracker).status not in DISPATCHED:
            dispatcher.utter_message(
                text=replies.CLAIM_NOT_SHIPPED.format(number=number),
                buttons=[replies.TRACK_ORDER],
            )
            return RESET
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(text=replies.CLAIM_KEPT)
            return RESET
        kind = ClaimKind(tracker.get_slot("claim_type"))
        # The shopper's own words, as they wrote them (on one line, bounded): the shop gets text.
        description = one_line(opening_words(tracker, "problem_report"), 500)
        claim = await call_shop(
            tracker, "claim", services.current().shop.create_claim, number, proof, kind, description
        )
        dispatcher.utter_message(
            text=replies.CLAIM_CREATED.format(
                reference=claim.reference,
                resolution=replies.CLAIM_RESOLUTIONS.get(
                    claim.resolution, one_line(claim.message, 300)
                ),
            )
        )
        return RESET
