"""Returns: verify, list the items and what can be returned, create the return."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_shop, facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction, latest_intent
from bot.clients.shop.models import Verification
from bot.core.shopper_replies import choose_items, is_question
from bot.dialogue.texts import safe

RESET = [SlotSet("return_skus", None), SlotSet("return_reason", None), SlotSet("confirmed", None)]
# Messages that are something else than a reason. Short reasons ("trop grand") are often
# read as small talk by the intent model: only a clear other request is not a reason.
NOT_A_REASON = frozenset(
    {"human_handoff", "cancel_order", "track_order", "refund_status", "change_order"}
)


class ValidateReturnItemForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_return_item_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        if not facts(tracker).get("returnable"):
            return []
        return ["return_skus", "return_reason", "confirmed"]

    async def extract_return_skus(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The article by its number in the list, its position ("le 2e"), or its name."""
        if tracker.get_slot("requested_slot") != "return_skus":
            return {}
        skus = choose_items(
            tracker.latest_message.get("text") or "", facts(tracker).get("returnable", [])
        )
        return {"return_skus": ",".join(skus)} if skus else {}

    async def extract_return_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The shopper's own words; a question or another request is not a reason (it is
        answered, and the reason asked again)."""
        if tracker.get_slot("requested_slot") != "return_reason":
            return {}
        text = tracker.latest_message.get("text") or ""
        intent = latest_intent(tracker)
        if (
            is_question(text)
            or intent in NOT_A_REASON
            or (intent == "stop" and len(text.split()) <= 4)
        ):  # "laissez tomber", not a reason
            return {}
        reason = " ".join(text.split())[:200]
        return {"return_reason": reason} if reason else {}


class ActionAskReturnSkus(Action):
    def name(self) -> str:
        return "action_ask_return_skus"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        order = facts(tracker)
        lines = ["Voici les articles de votre commande :"]
        lines += [f"{n}. {safe(item['name'])}" for n, item in enumerate(order["returnable"], 1)]
        lines += [
            f"– {safe(item['name'])} : ne peut pas être retourné ({item['reason']})"
            for item in order.get("blocked", [])
        ]
        lines.append("Quel article souhaitez-vous retourner ?")
        buttons = [
            {"title": item["name"][:40], "payload": str(n)}
            for n, item in enumerate(order["returnable"], 1)
        ]
        if len(buttons) > 1:
            buttons.append({"title": "Tous ces articles", "payload": "tous"})
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []


class ActionCreateReturn(VerifiedOrderAction):
    def name(self) -> str:
        return "action_create_return"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        order = facts(tracker)
        if not order.get("returnable"):
            dispatcher.utter_message(text=nothing_returnable(number, order))
            return RESET
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(text="C'est noté : aucun retour n'a été créé.")
            return RESET
        skus = [sku for sku in (tracker.get_slot("return_skus") or "").split(",") if sku]
        reason = tracker.get_slot("return_reason") or "non précisée"
        rma = await call_shop(tracker, "return", shop().create_return, number, proof, skus, reason)
        dispatcher.utter_message(
            text=(
                f"Votre retour est enregistré sous le numéro {rma.rma}.\n"
                f"Étiquette de retour gratuite : {rma.label_url}\n{rma.instructions}\n"
                f"Vous serez remboursé(e) sous {rma.refund_delay_days} jours après réception "
                "du colis dans notre entrepôt."
            )
        )
        return RESET


def nothing_returnable(number: str, order: dict[str, Any]) -> str:
    status = order.get("status")
    if status in ("paid", "preparing", "shipped", "out_for_delivery", "delayed"):
        return (
            f"La commande {number} n'est pas encore livrée : vous pourrez retourner ses "
            "articles dans les 14 jours suivant la réception."
        )
    if status == "cancelled":
        return f"La commande {number} a été annulée : il n'y a rien à retourner."
    reasons = "\n".join(
        f"– {safe(item['name'])} : {item['reason']}" for item in order.get("blocked", [])
    )
    return f"Aucun article de la commande {number} ne peut être retourné :\n{reasons}"
