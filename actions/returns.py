"""Returns: verify, list the items and what can be returned, create the return."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.common import call_shop, facts
from actions.verification import OrderFormValidation, VerifiedOrderAction, latest_intent
from bot.clients.shop.models import AWAITING_DELIVERY, OrderStatus, Verification
from bot.core import replies
from bot.core.shopper_replies import choose_items, is_question
from bot.dialogue.texts import one_line
from bot.dialogue.verified_order import VerifiedOrder

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
        if not facts(tracker).returnable:
            return []
        return ["return_skus", "return_reason", "confirmed"]

    async def extract_return_skus(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The article by its number in the list, its position ("le 2e"), or its name."""
        if tracker.get_slot("requested_slot") != "return_skus":
            return {}
        items = [{"sku": item.sku, "name": item.name} for item in facts(tracker).returnable]
        skus = choose_items(tracker.latest_message.get("text") or "", items)
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
        lines = [replies.RETURN_ITEMS_INTRO]
        lines += [
            replies.RETURN_ITEM_LINE.format(position=n, name=one_line(item.name))
            for n, item in enumerate(order.returnable, 1)
        ]
        lines += [
            replies.RETURN_ITEM_BLOCKED.format(name=one_line(item.name), reason=item.reason)
            for item in order.blocked
        ]
        lines.append(replies.RETURN_WHICH)
        buttons = [
            replies.button(item.name[:40], str(n)) for n, item in enumerate(order.returnable, 1)
        ]
        if len(buttons) > 1:
            buttons.append(replies.ALL_ITEMS)
        dispatcher.utter_message(text="\n".join(lines), buttons=buttons)
        return []


class ActionCreateReturn(VerifiedOrderAction):
    def name(self) -> str:
        return "action_create_return"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]:
        order = facts(tracker)
        if not order.returnable:
            dispatcher.utter_message(text=nothing_returnable(number, order))
            return RESET
        if tracker.get_slot("confirmed") is not True:
            dispatcher.utter_message(text=replies.RETURN_KEPT)
            return RESET
        skus = [sku for sku in (tracker.get_slot("return_skus") or "").split(",") if sku]
        reason = tracker.get_slot("return_reason") or replies.RETURN_REASON_UNKNOWN
        rma = await call_shop(
            tracker, "return", services.current().shop.create_return, number, proof, skus, reason
        )
        if rma.status == "requested":  # the shop approves it first: no label yet
            text = replies.RETURN_REQUESTED.format(
                rma=rma.rma, instructions=rma.instructions, refund_days=rma.refund_delay_days
            )
        else:
            text = replies.RETURN_CREATED.format(
                rma=rma.rma,
                label_url=rma.label_url,
                instructions=rma.instructions,
                refund_days=rma.refund_delay_days,
            )
        dispatcher.utter_message(text=text)
        return RESET


def nothing_returnable(number: str, order: VerifiedOrder) -> str:
    if order.status in AWAITING_DELIVERY:
        return replies.RETURN_NOT_YET_DELIVERED.format(number=number)
    if order.status is OrderStatus.CANCELLED:
        return replies.RETURN_CANCELLED.format(number=number)
    reasons = "\n".join(
        replies.BLOCKED_ITEM.format(name=one_line(item.name), reason=item.reason)
        for item in order.blocked
    )
    return replies.NOTHING_RETURNABLE.format(number=number, reasons=reasons)
