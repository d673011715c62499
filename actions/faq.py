"""General questions answered from the knowledge base, and messages the NLU did not get.

The knowledge base (`bot.kb`) is searched off the event loop; its index is published by
editors and picked up on the next search, without retraining Rasa.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON
from bot import kb
from bot.settings import get_settings

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


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        result = await search(tracker)
        events = answer(dispatcher, result) if result else None
        if events is None:
            settings = get_settings()
            dispatcher.utter_message(
                text=("Je n'ai pas trouvé de réponse sûre à votre question. Un conseiller peut "
                      f"vous répondre : {settings.support_email}, {settings.support_phone}, "
                      f"{settings.support_hours}."),
                buttons=[HUMAN_BUTTON])
        return events or []


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
        events = answer(dispatcher, result) if result else None
        if events is None:
            dispatcher.utter_message(response="utter_default")
        return events or []
