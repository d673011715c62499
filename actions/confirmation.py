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
from bot.core import replies
from bot.core.shopper_replies import parcel_not_received
from bot.dialogue.texts import one_line

YES_NO = [replies.YES, replies.NO]


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
    names = [item.name for item in facts(tracker).returnable if item.sku in skus]
    quoted = (replies.QUOTED_ITEM.format(name=one_line(name, 60)) for name in names)
    return ", ".join(quoted) or replies.CHOSEN_ITEM


def cancel_summary(tracker: Tracker, number: str) -> str:
    return replies.CANCEL_SUMMARY.format(number=number)


def return_summary(tracker: Tracker, number: str) -> str:
    reason = one_line(tracker.get_slot("return_reason") or replies.NO_REASON_GIVEN, 120)
    return replies.RETURN_SUMMARY.format(items=chosen_items(tracker), number=number, reason=reason)


def claim_summary(tracker: Tracker, number: str) -> str:
    words = opening_words(tracker, "problem_report")
    if tracker.get_slot("claim_type") == "missing" and checks_given(tracker):
        return replies.CLAIM_SUMMARY_NOT_RECEIVED.format(number=number)
    if tracker.get_slot("claim_type") == "missing" and parcel_lost(tracker):
        return replies.CLAIM_CHECKS_FIRST.format(number=number)
    kind = replies.CLAIM_KINDS.get(tracker.get_slot("claim_type") or "", replies.CLAIM_KIND_UNKNOWN)
    return replies.CLAIM_SUMMARY.format(kind=kind, number=number, words=one_line(words, 160))


def address_summary(tracker: Tracker, number: str) -> str:
    address = one_line(tracker.get_slot("new_address") or "", 160)
    return replies.ADDRESS_SUMMARY.format(number=number, address=address)


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
        text = summary(tracker, number) if summary else replies.CONFIRM
        dispatcher.utter_message(text=text, buttons=YES_NO)
        return []
