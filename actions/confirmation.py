"""One yes/no before anything irreversible: cancelling, returning, opening a claim, changing the
delivery address. The form asks for the slot `confirmed` once it has everything else; this
action says, in one line, what is about to happen, and offers Oui / Non (typed answers are read
by `OrderFormValidation.extract_confirmed`). Nothing is done before a yes.
"""

from __future__ import annotations

from typing import Callable, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import facts
from bot.core.shopper_replies import parcel_not_received
from bot.dialogue.texts import safe

YES_NO = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non", "payload": "/deny"}]
CLAIM_LABELS = {
    "damaged": "article abîmé",
    "missing": "article manquant",
    "wrong_item": "article non conforme",
}


def opening_words(tracker: Tracker, intent: str) -> str:
    """The shopper's own words for the request: the message that started it."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "user"
            and ((event.get("parse_data") or {}).get("intent") or {}).get("name") == intent
        ):
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


def last_bot_step(tracker: Tracker) -> str | None:
    """The `step` the bot's latest message was marked with (e.g. "parcel_not_found")."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("step")
    return None


def checks_given(tracker: Tracker) -> bool:
    """The bot already said where a parcel marked delivered usually is (actions/orders.py)."""
    return any(
        (event.get("metadata") or {}).get("step") == "parcel_not_found"
        for event in tracker.events
        if event.get("event") == "bot"
    )


def parcel_lost(tracker: Tracker) -> bool:
    """The shopper reports a whole parcel never received (not an item missing from it)."""
    return any(
        parcel_not_received(opening_words(tracker, intent))
        for intent in ("problem_report", "track_order")
    )


def chosen_items(tracker: Tracker) -> str:
    skus = (tracker.get_slot("return_skus") or "").split(",")
    names = [item["name"] for item in facts(tracker).get("returnable", []) if item["sku"] in skus]
    return ", ".join(f"« {safe(name, 60)} »" for name in names) or "l'article choisi"


def cancel_summary(tracker: Tracker, number: str) -> str:
    return (
        f"La commande {number} n'est pas encore expédiée, je peux donc l'annuler : elle sera "
        "remboursée sur votre moyen de paiement d'origine. Confirmez-vous l'annulation de "
        "toute la commande ?"
    )


def return_summary(tracker: Tracker, number: str) -> str:
    reason = safe(tracker.get_slot("return_reason") or "non précisé", 120)
    return (
        f"Je récapitule : retour de {chosen_items(tracker)} (commande {number}), motif : "
        f"« {reason} ». L'étiquette de retour est gratuite. Je crée le retour ?"
    )


def claim_summary(tracker: Tracker, number: str) -> str:
    words = opening_words(tracker, "problem_report")
    if tracker.get_slot("claim_type") == "missing" and checks_given(tracker):
        return (
            f"Je récapitule : réclamation « colis non reçu » pour la commande {number}. "
            "Je l'ouvre ?"
        )
    if tracker.get_slot("claim_type") == "missing" and parcel_lost(tracker):
        return (
            "Avant d'ouvrir une réclamation « colis non reçu », vérifiez auprès de vos "
            "voisins, dans votre boîte aux lettres et, si vous l'aviez choisi, au point "
            "relais : un colis marqué livré s'y trouve souvent. Toujours rien ? Je peux "
            f"ouvrir la réclamation pour la commande {number}. Je l'ouvre ?"
        )
    label = CLAIM_LABELS.get(tracker.get_slot("claim_type") or "", "problème")
    return (
        f"Je récapitule : réclamation « {label} » pour la commande {number} : "
        f"« {safe(words, 160)} ». Je l'enregistre ?"
    )


def address_summary(tracker: Tracker, number: str) -> str:
    address = safe(tracker.get_slot("new_address") or "", 160)
    return (
        f"Je récapitule : la commande {number} sera livrée au {address}. Je fais la modification ?"
    )


SUMMARIES: Dict[str, Callable[[Tracker, str], str]] = {
    "cancel_order_form": cancel_summary,
    "return_item_form": return_summary,
    "problem_report_form": claim_summary,
    "change_order_form": address_summary,
}


class ActionAskConfirmed(Action):
    def name(self) -> str:
        return "action_ask_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        form = (tracker.active_loop or {}).get("name") or ""
        summary = SUMMARIES.get(form)
        number = tracker.get_slot("order_number") or ""
        text = summary(tracker, number) if summary else "Je confirme ?"
        dispatcher.utter_message(text=text, buttons=YES_NO)
        return []
