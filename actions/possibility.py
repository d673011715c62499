"""Questions about what is possible are answered, not carried out: "et si ça n'arrive pas à
temps, je peux annuler ?", "elle peut le renvoyer elle-même ?" get the knowledge base's answer
when it has a sure one, else the shop's rule — for the verified order when there is one — and
a button to do it, never a form waiting for a yes. Chosen by bot/rasa/policies/turns.py."""

from __future__ import annotations

import re
from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import facts, verified_number
from actions.faq import nlu_sure
from actions.knowledge import answer, search
from bot.clients.shop.models import CLOSED, DISPATCHED
from bot.core import replies
from bot.core.shopper_replies import fold
from bot.dialogue.texts import one_line
from bot.dialogue.verified_order import VerifiedOrder

# What a question must be about for the request's rule to be the answer.
SUBJECT = {
    "cancel_order": re.compile(r"annul|decommand"),
    "return_item": re.compile(r"retour|retourn|renvoi|renvoy|rendre|echang|rembours"),
    "change_order": re.compile(r"adresse|livr|domicile|relais|destinataire"),
}
DO_IT = replies.DO_IT  # the button that does it
GENERAL = replies.RULES  # the shop's rule, when no verified order says more


def for_order(intent: str, number: str, order: VerifiedOrder) -> tuple[str, bool] | None:
    """(the rule applied to the shopper's verified order, whether it can be done), when that
    says more than the general rule."""
    if intent == "cancel_order":
        if order.cancellable:
            return replies.CAN_CANCEL.format(number=number), True
        if order.status in DISPATCHED and order.status not in CLOSED:
            return replies.CANNOT_CANCEL_SHIPPED.format(number=number), False
    if intent == "return_item":
        if order.returnable:
            return replies.CAN_RETURN.format(number=number), True
        reasons = "; ".join(
            replies.ITEM_REASON.format(name=item.name, reason=item.reason)
            for item in order.blocked
            if item.reason
        )
        if reasons:
            return (
                replies.CANNOT_RETURN.format(number=number, reasons=one_line(reasons, 300)),
                False,
            )
    if intent == "change_order":
        if order.address_changeable:
            return replies.CAN_CHANGE_ADDRESS.format(number=number), True
        return replies.CANNOT_CHANGE_ADDRESS.format(number=number), False
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
