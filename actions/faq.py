"""General questions answered from the knowledge base, and messages the NLU did not get.

The knowledge base (`bot.kb`) is searched off the event loop; its index is published by
editors and picked up on the next search, without retraining Rasa.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON
from actions.handoff import hand_off
from bot import kb
from bot.handoff.models import Reason

log = logging.getLogger(__name__)

search_kb = kb.search  # the process-wide knowledge base; tests put a stand-in here

async def search(tracker: Tracker) -> kb.SearchResult | None:
    """The knowledge base's verdict on the latest message; None when it cannot be searched."""
    text = tracker.latest_message.get("text") or ""
    start = time.perf_counter()
    try:
        result = await asyncio.to_thread(search_kb, text, 3)
    except kb.KBError:
        log.exception("knowledge base unavailable conversation=%s", tracker.sender_id)
        return None
    top = result.top
    log.info("kb search conversation=%s outcome=%s confidence=%.2f entry=%s latency_ms=%.0f",
             tracker.sender_id, result.outcome, result.confidence, top.id if top else None,
             (time.perf_counter() - start) * 1000)
    return result


NOT_FOUND_IN_FORM = "Je n'ai pas trouvé l'information attendue dans votre message."

ORDER_REQUESTS = [
    {"title": "Suivre ma commande", "payload": "/track_order"},
    {"title": "Annuler", "payload": "/cancel_order"},
    {"title": "Retourner un article", "payload": "/return_item"},
    {"title": "Signaler un problème", "payload": "/problem_report"},
]

FEEDBACK_BUTTONS = [
    {"title": "👍 Utile", "payload": '/faq_feedback{"helpful": "yes"}'},
    {"title": "👎 Pas utile", "payload": '/faq_feedback{"helpful": "no"}'},
]


def answer(dispatcher: CollectingDispatcher, result: kb.SearchResult) -> list[EventType] | None:
    """Say what the knowledge base found (events to apply), or None when it found nothing
    worth saying. A confident answer carries a "was this helpful?" pair of buttons."""
    if result.outcome == "answer" and result.top:
        dispatcher.utter_message(text=result.top.answer, buttons=FEEDBACK_BUTTONS)
        return [SlotSet("kb_entry", result.top.id)]
    if result.outcome == "choose" and result.hits:
        dispatcher.utter_message(
            text="Je ne suis pas certain de bien comprendre. Votre question est-elle l'une de "
                 "celles-ci ?",
            buttons=[{"title": hit.question, "payload": hit.question} for hit in result.hits]
            + [HUMAN_BUTTON])
        return []
    return None


UNSURE_SLOT = "unsure_turn"  # the user turn at which the bot last could not help


def user_turn(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


async def unsure(dispatcher: CollectingDispatcher, tracker: Tracker,
                 say: Callable[[], None]) -> List[EventType]:
    """Neither the NLU nor the knowledge base could help. The first time, `say` how to go on;
    the second time in a row, hand the shopper to a person rather than fail a third time."""
    turn = user_turn(tracker)
    previous = tracker.get_slot(UNSURE_SLOT)
    if previous is not None and int(previous) == turn - 1:
        return [SlotSet(UNSURE_SLOT, None), *await hand_off(dispatcher, tracker, Reason.unsure)]
    say()
    return [SlotSet(UNSURE_SLOT, float(turn))]


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        result = await search(tracker)
        events = answer(dispatcher, result) if result else None
        if events is None:
            return await unsure(dispatcher, tracker, lambda: dispatcher.utter_message(
                text=("Je n'ai pas trouvé de réponse sûre à votre question. Pouvez-vous la "
                      "formuler autrement, ou voulez-vous parler à un conseiller ?"),
                buttons=[HUMAN_BUTTON]))
        return events


class ActionFallback(Action):
    """When the NLU is unsure: re-ask the form's question, else try the knowledge base, else
    say so and offer the menu."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        loop = (tracker.active_loop or {}).get("name")
        if loop:  # the form, run again, asks its question again
            dispatcher.utter_message(text=NOT_FOUND_IN_FORM)
            return [FollowupAction(loop)]
        number = next(tracker.get_latest_entity_values("order_number"), None)
        if number:  # an order number alone: ask what to do with it rather than guess
            dispatcher.utter_message(
                text=f"Que souhaitez-vous faire pour la commande {number} ?",
                buttons=ORDER_REQUESTS)
            return []
        result = await search(tracker)
        if result and result.outcome == "answer":
            return answer(dispatcher, result) or []

        def say() -> None:  # "did you mean…" choices, else the menu; both count as unsure
            if result is None or answer(dispatcher, result) is None:
                dispatcher.utter_message(response="utter_default")

        return await unsure(dispatcher, tracker, say)
