"""Questions about what is possible are answered, not carried out: "et si ça n'arrive pas à
temps, je peux annuler ?", "elle peut le renvoyer elle-même ?" get the knowledge base's answer
when it has a sure one, else the shop's rule — for the verified order when there is one — and
a button to do it, never a form waiting for a yes. Chosen by bot/rasa/policies/turns.py."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import facts, verified_number
from actions.faq import nlu_sure
from actions.knowledge import answer, search
from bot.core.shopper_replies import fold
from bot.dialogue.texts import safe

# What a question must be about for the request's rule to be the answer.
SUBJECT = {
    "cancel_order": re.compile(r"annul|decommand"),
    "return_item": re.compile(r"retour|retourn|renvoi|renvoy|rendre|echang|rembours"),
    "change_order": re.compile(r"adresse|livr|domicile|relais|destinataire"),
}
DO_IT = {
    "cancel_order": {"title": "Annuler ma commande", "payload": "/cancel_order"},
    "return_item": {"title": "Retourner un article", "payload": "/return_item"},
    "change_order": {"title": "Changer l'adresse", "payload": "/change_order"},
}
GENERAL = {
    "cancel_order": (
        "Une commande peut être annulée tant qu'elle n'est pas expédiée : elle est "
        "alors remboursée sous 14 jours. Une fois partie, elle ne peut plus être "
        "annulée, mais vous pourrez la retourner gratuitement dans les 14 jours "
        "suivant la réception."
    ),
    "return_item": (
        "Vous pouvez retourner un article dans les 14 jours suivant la réception, "
        "gratuitement (étiquette prépayée), s'il n'a pas été porté et, pour un "
        "cosmétique ou un parfum, s'il n'a pas été ouvert. Pour un cadeau, la "
        "personne qui l'a reçu peut faire le retour elle-même avec le numéro de "
        "commande et le code postal de livraison ; le remboursement va à "
        "l'acheteur."
    ),
    "change_order": (
        "L'adresse de livraison peut être modifiée tant que la commande n'est pas "
        "expédiée ; ensuite, le transporteur propose souvent de choisir un autre "
        "lieu ou jour de livraison depuis son lien de suivi."
    ),
}


def for_order(intent: str, number: str, order: Dict[str, Any]) -> tuple[str, bool] | None:
    """(the rule applied to the shopper's verified order, whether it can be done), when that
    says more than the general rule."""
    status = order.get("status")
    if intent == "cancel_order":
        if order.get("cancellable"):
            return (
                f"Oui : la commande {number} n'est pas encore expédiée, vous pouvez "
                "l'annuler à tout moment d'ici là, et elle sera remboursée sous 14 jours.",
                True,
            )
        if status in ("shipped", "out_for_delivery", "delayed", "delivered"):
            return (
                f"La commande {number} est déjà expédiée : elle ne peut plus être annulée. "
                "Si elle arrive trop tard, vous pourrez la retourner gratuitement dans les "
                "14 jours suivant la réception, et elle vous sera remboursée.",
                False,
            )
    if intent == "return_item":
        if order.get("returnable"):
            return (
                f"Oui : des articles de la commande {number} peuvent encore être "
                "retournés, gratuitement, dans les 14 jours suivant la réception.",
                True,
            )
        reasons = "; ".join(
            f"{item['name']} : {item['reason']}"
            for item in order.get("blocked", [])
            if item.get("reason")
        )
        if reasons:
            return (
                f"Les articles de la commande {number} ne peuvent plus être retournés "
                f"({safe(reasons, 300)}).",
                False,
            )
    if intent == "change_order":
        if order.get("address_changeable"):
            return (
                f"Oui : la commande {number} n'est pas encore expédiée, son adresse de "
                "livraison peut encore être changée.",
                True,
            )
        return (
            f"La commande {number} est déjà expédiée : son adresse ne peut plus être "
            "changée chez nous.",
            False,
        )
    return None


class ActionAnswerPossibility(Action):
    def name(self) -> str:
        return "action_answer_possibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in GENERAL:
            intent = "cancel_order"
        text = tracker.latest_message.get("text") or ""
        if not nlu_sure(tracker) or not SUBJECT[intent].search(fold(text)):
            # Maybe not about this request at all ("et je peux l'avoir au nom de ma société ?"
            # after an answer about invoices): the knowledge base, if it is sure.
            found = await search(tracker)
            if found and found.outcome == "answer":
                return answer(dispatcher, found) or []
        number = verified_number(tracker)
        text, possible = (for_order(intent, number, facts(tracker)) if number else None) or (
            GENERAL[intent],
            True,
        )
        dispatcher.utter_message(text=text, buttons=[DO_IT[intent]] if possible else [])
        return []
