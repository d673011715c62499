"""Changing an order: the delivery address, as long as the parcel has not left."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.common import HUMAN_BUTTON, call_shop, facts, remember
from actions.verification import OrderFormValidation, VerifiedOrderAction, latest_intent
from bot.clients.shop.models import Verification
from bot.core import replies
from bot.dialogue.addresses import find_address, parse_address
from bot.dialogue.texts import one_line

RESET = [SlotSet("new_address", None), SlotSet("confirmed", None)]


class ValidateChangeOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_change_order_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["new_address", "confirmed"] if facts(tracker).address_changeable else []

    def validate_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """ "Non, c'est pas la bonne" to the summary: the address is asked again (leaving
        stays possible with "laissez tomber")."""
        if value is False and latest_intent(tracker) != "stop":
            return {"confirmed": None, "new_address": None}
        return {"confirmed": value}

    async def extract_new_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """An address on one line (number and street, postcode, city), asked or given along
        with the request."""
        if tracker.get_slot("new_address"):
            return {}
        text = " ".join((tracker.latest_message.get("text") or "").split())
        found = find_address(text)
        return {"new_address": found} if found else {}


class ActionAskNewAddress(Action):
    def name(self) -> str:
        return "action_ask_new_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(text=replies.ASK_NEW_ADDRESS)
        return []


class ActionChangeAddress(VerifiedOrderAction):
    def name(self) -> str:
        return "action_change_address"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        if not facts(tracker).address_changeable:
            dispatcher.utter_message(
                text=replies.ADDRESS_CANNOT_CHANGE.format(number=number),
                buttons=[replies.TRACK_ORDER, HUMAN_BUTTON],
            )
            return RESET
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(text=replies.ADDRESS_KEPT)
            return RESET
        name = facts(tracker).first_name or replies.ADDRESSEE
        address = parse_address(tracker.get_slot("new_address") or "", name=name)
        if address is None:  # validated by the form; kept as a guard against stale slots
            return RESET
        order = await call_shop(
            tracker, "address", services.current().shop.change_address, number, proof, address
        )
        shipped_to = order.shipping_address
        dispatcher.utter_message(
            text=replies.ADDRESS_CHANGED.format(
                number=number,
                line1=one_line(shipped_to.line1),
                postcode=shipped_to.postcode,
                city=one_line(shipped_to.city),
            )
        )
        return [*RESET, remember(order)]
