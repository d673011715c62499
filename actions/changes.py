"""Changing an order: the delivery address, as long as the parcel has not left."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON, call_shop, facts, order_facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction, latest_intent
from bot.clients.shop.models import Verification
from bot.dialogue.addresses import find_address, parse_address
from bot.dialogue.texts import safe

RESET = [SlotSet("new_address", None), SlotSet("confirmed", None)]


class ValidateChangeOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_change_order_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["new_address", "confirmed"] if facts(tracker).get("address_changeable") else []

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
        dispatcher.utter_message(
            text=(
                "Votre commande n'est pas encore expédiée : je peux changer l'adresse de "
                "livraison. Quelle est la nouvelle adresse (numéro et rue, code postal, "
                "ville) ?"
            )
        )
        return []


class ActionChangeAddress(VerifiedOrderAction):
    def name(self) -> str:
        return "action_change_address"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        if not facts(tracker).get("address_changeable"):
            dispatcher.utter_message(
                text=(
                    f"La commande {number} est déjà expédiée (ou clôturée) : je ne peux plus "
                    "modifier son adresse. Pour un autre changement (facturation, contenu), "
                    "un conseiller peut vous aider."
                ),
                buttons=[{"title": "Suivre ma commande", "payload": "/track_order"}, HUMAN_BUTTON],
            )
            return RESET
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(text="C'est noté : l'adresse de livraison n'est pas modifiée.")
            return RESET
        name = facts(tracker).get("first_name") or "Client"
        address = parse_address(tracker.get_slot("new_address") or "", name=name)
        if address is None:  # validated by the form; kept as a guard against stale slots
            return RESET
        order = await call_shop(tracker, "address", shop().change_address, number, proof, address)
        shipped_to = order.shipping_address
        dispatcher.utter_message(
            text=(
                f"C'est noté : la commande {number} sera livrée au "
                f"{safe(shipped_to.line1)}, {shipped_to.postcode} {safe(shipped_to.city)}."
            )
        )
        return [*RESET, SlotSet("order_facts", order_facts(order))]
