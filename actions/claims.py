"""Problem reports: damaged, missing or wrong item; the shop decides re-ship or refund."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import partial
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
from bot.clients.backoffice import photo_links
from bot.clients.shop.models import DISPATCHED, ClaimKind, Verification
from bot.core import replies
from bot.core.edge import WEB_PREFIX
from bot.core.shopper_replies import claim_kind
from bot.dialogue.texts import one_line
from bot.settings import get_settings

CLAIM_KINDS = {kind.value for kind in ClaimKind}
RESET = [SlotSet("claim_type", None), SlotSet("claim_photo", None), SlotSet("confirmed", None)]
# A photo of a damaged item (issue 19): only the web widget can send one; the back office sends
# the intent below once it has checked and kept the photo (bot/backoffice/routes/attachments.py).
PHOTO_SENT = "photo_sent"
NO_PHOTO = "aucune"  # the shopper went on without a photo
ATTACHMENT_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def photo_possible(tracker: Tracker) -> bool:
    """A damaged item reported in the web widget, the only channel that can send a photo."""
    return tracker.get_slot("claim_type") == "damaged" and tracker.sender_id.startswith(WEB_PREFIX)


def claim_photo_links(tracker: Tracker) -> List[str]:
    """Where the shop fetches the claim's photo: a signed link of the back office that expires
    (COMPTOIR_ATTACHMENT_LINK_DAYS), rather than the bytes through a 1.5 s shop call."""
    photo = tracker.get_slot("claim_photo")
    if not photo or photo == NO_PHOTO:
        return []
    settings = get_settings()
    return [
        photo_links.make(
            str(settings.backoffice_public_url),
            settings.secret("service_token"),
            photo,
            datetime.now(timezone.utc),
            settings.attachment_link_days,
        )
    ]


class ValidateProblemReportForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_problem_report_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        if facts(tracker).status not in DISPATCHED:
            return []
        photo = ["claim_photo"] if photo_possible(tracker) else []
        return ["claim_type", *photo, "confirmed"]

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

    async def extract_claim_photo(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The photo the back office received for this conversation (the `photo_sent` intent
        it triggers, with the attachment's id), or "no photo" when the shopper goes on without
        one ("Continuer sans photo", "non")."""
        if tracker.get_slot("claim_photo") or not photo_possible(tracker):
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == PHOTO_SENT:
            found = next(tracker.get_latest_entity_values("attachment_id"), None)
            if isinstance(found, str) and ATTACHMENT_ID.match(found):
                return {"claim_photo": found}
            return {}
        if tracker.get_slot("requested_slot") == "claim_photo" and intent == "deny":
            return {"claim_photo": NO_PHOTO}
        return {}


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
        photos = claim_photo_links(tracker)
        create = services.current().shop.create_claim
        claim = await call_shop(
            tracker,
            "claim",
            partial(create, photos=photos) if photos else create,
            number,
            proof,
            kind,
            description,
        )
        text = replies.CLAIM_CREATED.format(
            reference=claim.reference,
            resolution=replies.CLAIM_RESOLUTIONS.get(
                claim.resolution, one_line(claim.message, 300)
            ),
        )
        dispatcher.utter_message(text=f"{text} {replies.PHOTO_FORWARDED}" if photos else text)
        return RESET
