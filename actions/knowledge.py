"""The knowledge base as the actions use it: search the latest message, say what was found.

The knowledge base (`bot.kb`, reached through actions/services.py) is searched off the event
loop; its index is published by editors and picked up on the next search, without retraining
Rasa.
"""

from __future__ import annotations

import asyncio
import logging
import time

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import HUMAN_BUTTON
from bot import kb
from bot.core import query_vector, replies, slots

log = logging.getLogger(__name__)


async def search(tracker: Tracker) -> kb.SearchResult | None:
    """The knowledge base's verdict on the latest message; None when it cannot be searched."""
    text = tracker.latest_message.get("text") or ""
    packed = tracker.latest_message.get(query_vector.KEY)  # embedded once, by the NLU
    start = time.perf_counter()
    try:
        result = await asyncio.to_thread(services.current().kb.search, text, 3, packed)
    except kb.KBError:
        log.exception("knowledge base unavailable conversation=%s", tracker.sender_id)
        return None
    top = result.top
    log.info(
        "kb search conversation=%s outcome=%s confidence=%.2f entry=%s latency_ms=%.0f "
        "vector_from_nlu=%s",
        tracker.sender_id,
        result.outcome,
        result.confidence,
        top.id if top else None,
        (time.perf_counter() - start) * 1000,
        packed is not None,
    )
    return result


FEEDBACK_BUTTONS = [replies.HELPFUL, replies.NOT_HELPFUL]


def answer(dispatcher: CollectingDispatcher, result: kb.SearchResult) -> list[EventType] | None:
    """Say what the knowledge base found (events to apply), or None when it found nothing
    worth saying. A confident answer carries a "was this helpful?" pair of buttons."""
    if result.outcome == "answer" and result.top:
        dispatcher.utter_message(text=result.top.answer, buttons=FEEDBACK_BUTTONS)
        return [SlotSet(slots.KB_ENTRY, result.top.id), SlotSet(slots.KB_TOPIC, result.top.topic)]
    if result.outcome == "choose" and result.hits:
        dispatcher.utter_message(
            text=replies.KB_CHOOSE,
            buttons=[replies.button(hit.question, hit.question) for hit in result.hits]
            + [HUMAN_BUTTON],
        )
        return [SlotSet(slots.KB_TOPIC, result.hits[0].topic)]
    return None


def nearest(dispatcher: CollectingDispatcher, result: kb.SearchResult) -> list[EventType] | None:
    """Nothing sure to say: the closest questions the knowledge base knows, and a person, as
    choices (None when it has nothing at all)."""
    if not result.hits:
        return None
    dispatcher.utter_message(
        text=replies.KB_NEAREST,
        buttons=[replies.button(hit.question, hit.question) for hit in result.hits]
        + [HUMAN_BUTTON],
    )
    return [SlotSet(slots.KB_TOPIC, result.hits[0].topic)]
