"""Changing an order: the delivery address, as long as the parcel has not left."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON, call_shop, facts, order_facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.dialogue.addresses import parse_address
from bot.dialogue.texts import safe
from bot.shop.models import Verification


class ValidateChangeOrderForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_change_order_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["new_address"] if facts(tracker).get("address_changeable") else []

    def validate_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if parse_address(str(value or ""), name="-") is None:
            dispatcher.utter_message(
                text=("Je n'ai pas pu lire cette adresse. Écrivez-la sur une ligne : numéro et "
                      "rue, code postal, ville (ex. 12 rue des Lilas, 44000 Nantes)."))
            return {"new_address": None}
        return {"new_address": " ".join(str(value).split())[:200]}


class ActionAskNewAddress(Action):
    def name(self) -> str:
        return "action_ask_new_address"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(
            text=("Votre commande n'est pas encore expédiée : je peux changer l'adresse de "
                  "livraison. Quelle est la nouvelle adresse (numéro et rue, code postal, "
                  "ville) ?"))
        return []


class ActionChangeAddress(VerifiedOrderAction):
    def name(self) -> str:
        return "action_change_address"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        if not facts(tracker).get("address_changeable"):
            dispatcher.utter_message(
                text=(f"La commande {number} est déjà expédiée (ou clôturée) : je ne peux plus "
                      "modifier son adresse. Pour un autre changement (facturation, contenu), "
                      "un conseiller peut vous aider."),
                buttons=[{"title": "Suivre ma commande", "payload": "/track_order"},
                         HUMAN_BUTTON])
            return [SlotSet("new_address", None)]
        name = facts(tracker).get("first_name") or "Client"
        address = parse_address(tracker.get_slot("new_address") or "", name=name)
        if address is None:  # validated by the form; kept as a guard against stale slots
            return [SlotSet("new_address", None)]
        order = await call_shop(tracker, "address", shop().change_address, number, proof, address)
        shipped_to = order.shipping_address
        dispatcher.utter_message(
            text=(f"C'est noté : la commande {number} sera livrée au "
                  f"{safe(shipped_to.line1)}, {shipped_to.postcode} {safe(shipped_to.city)}."))
        return [SlotSet("new_address", None), SlotSet("order_facts", order_facts(order))]
