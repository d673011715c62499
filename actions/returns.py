"""Returns: verify, list the items and what can be returned, create the return."""
from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_shop, facts, shop
from actions.verification import OrderFormValidation, VerifiedOrderAction
from bot.dialogue.texts import safe
from bot.shop.models import Verification

ALL = re.compile(r"\b(tou[ts]|toute?s?|l'ensemble|la totalit[ée])\b", re.IGNORECASE)
RESET = [SlotSet("return_skus", None), SlotSet("return_reason", None)]


def choose_items(text: str, returnable: list[dict[str, str]]) -> list[str]:
    """SKUs the shopper picked: 'tous', item numbers from the list ('1', '1 et 3'), or names."""
    if ALL.search(text):
        return [item["sku"] for item in returnable]
    picked = [returnable[int(n) - 1]["sku"] for n in re.findall(r"\b(\d{1,2})\b", text)
              if 1 <= int(n) <= len(returnable)]
    lowered = text.lower()
    picked += [item["sku"] for item in returnable
               if item["sku"].lower() in lowered or item["name"].lower() in lowered]
    return list(dict.fromkeys(picked))


class ValidateReturnItemForm(OrderFormValidation):
    def name(self) -> str:
        return "validate_return_item_form"

    def extra_slots(self, tracker: Tracker) -> List[str]:
        return ["return_skus", "return_reason"] if facts(tracker).get("returnable") else []

    def validate_return_skus(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        skus = choose_items(str(value or ""), facts(tracker).get("returnable", []))
        if not skus:
            dispatcher.utter_message(
                text="Je n'ai pas reconnu l'article. Choisissez-le dans la liste, s'il vous plaît.")
            return {"return_skus": None}
        return {"return_skus": ",".join(skus)}

    def validate_return_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        reason = " ".join(str(value or "").split())[:200]
        return {"return_reason": reason or None}


class ActionAskReturnSkus(Action):
    def name(self) -> str:
        return "action_ask_return_skus"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        order = facts(tracker)
        lines = ["Voici les articles de votre commande :"]
        lines += [f"{n}. {safe(item['name'])}" for n, item in enumerate(order["returnable"], 1)]
        lines += [f"– {safe(item['name'])} : ne peut pas être retourné ({item['reason']})"
                  for item in order.get("blocked", [])]
        lines.append("Quel article souhaitez-vous retourner ?")
        buttons = [{"title": item["name"][:40], "payload": str(n)}
                   for n, item in enumerate(order["returnable"], 1)]
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
        skus = [sku for sku in (tracker.get_slot("return_skus") or "").split(",") if sku]
        reason = tracker.get_slot("return_reason") or "non précisée"
        rma = await call_shop(tracker, "return", shop().create_return, number, proof, skus, reason)
        dispatcher.utter_message(
            text=(f"Votre retour est enregistré sous le numéro {rma.rma}.\n"
                  f"Étiquette de retour gratuite : {rma.label_url}\n{rma.instructions}\n"
                  f"Vous serez remboursé(e) sous {rma.refund_delay_days} jours après réception "
                  "du colis dans notre entrepôt."))
        return RESET


def nothing_returnable(number: str, order: dict[str, Any]) -> str:
    status = order.get("status")
    if status in ("paid", "preparing", "shipped", "out_for_delivery", "delayed"):
        return (f"La commande {number} n'est pas encore livrée : vous pourrez retourner ses "
                "articles dans les 14 jours suivant la réception.")
    if status == "cancelled":
        return f"La commande {number} a été annulée : il n'y a rien à retourner."
    reasons = "\n".join(f"– {safe(item['name'])} : {item['reason']}"
                        for item in order.get("blocked", []))
    return f"Aucun article de la commande {number} ne peut être retourné :\n{reasons}"
