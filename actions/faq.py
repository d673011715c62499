"""General questions answered from the knowledge base, and messages the NLU did not get.

The knowledge base (`bot.kb`) is searched off the event loop; its index is published by
editors and picked up on the next search, without retraining Rasa.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON
from actions.knowledge import answer, nearest, search
from actions.products import offer
from actions.unsure import unsure
from bot.core import replies


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        result = await search(tracker)
        if result and result.outcome == "answer":
            return answer(dispatcher, result) or []
        shown = await offer(dispatcher, tracker, result)  # a product, asked as a question
        if shown is not None:
            return shown
        events = answer(dispatcher, result) if result else None
        if events is not None:
            return events

        def say() -> List[EventType]:
            shown = nearest(dispatcher, result) if result else None
            if shown is None:
                dispatcher.utter_message(
                    text=replies.KB_NOTHING,
                    buttons=[HUMAN_BUTTON],
                )
            return shown or []

        return await unsure(dispatcher, tracker, say)


class ActionFallback(Action):
    """When the NLU is unsure: re-ask the form's question, else try the knowledge base, else
    say so and offer the menu."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        loop = (tracker.active_loop or {}).get("name")
        if loop:  # say what is needed; the form, run again, asks its question again
            requested = tracker.get_slot("requested_slot") or ""
            dispatcher.utter_message(text=replies.slot_hint(requested))
            return [FollowupAction(loop)]
        if next(tracker.get_latest_entity_values("order_number"), None):
            # An order number alone: most shoppers want to know where it is; the status comes
            # with the other things they can do with it.
            return [FollowupAction("track_order_form")]
        result = await search(tracker)
        if result and result.outcome == "answer":
            return answer(dispatcher, result) or []
        shown = await offer(dispatcher, tracker, result)
        if shown is not None:
            return shown

        def say() -> List[EventType]:  # "did you mean…", the nearest questions, else the menu
            shown = (answer(dispatcher, result) or nearest(dispatcher, result)) if result else None
            if shown is None:
                dispatcher.utter_message(response="utter_default")
            return shown or []

        return await unsure(dispatcher, tracker, say)


# The knowledge base is a closed set: asked about the weather, it still finds its nearest
# entry, sometimes with confidence. So it only overrules the NLU when the NLU itself hesitates.
NLU_SURE = 0.6


def nlu_sure(tracker: Tracker) -> bool:
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0) >= NLU_SURE


class ActionOutOfScope(Action):
    """The NLU thinks the shop cannot help: unless it is sure of it, check the knowledge base
    before saying so (a question about a product the examples never named is often in it).
    Saying so counts as not understanding: twice in a row, a person takes over."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        result = None if nlu_sure(tracker) else await search(tracker)
        if result and result.outcome == "answer":
            return answer(dispatcher, result) or []

        def say() -> List[EventType]:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []

        return await unsure(dispatcher, tracker, say)
