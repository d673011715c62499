"""When the bot could not help: say how to go on, and the second time in a row, a person.

Shared by the knowledge base's and the catalogue's answers (actions/faq.py,
actions/products.py): "not knowing is not a hand-off", but failing twice is.
"""

from __future__ import annotations

from typing import Callable, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off
from bot.clients.backoffice.models import Reason
from bot.core import slots

UNSURE_SLOT = slots.UNSURE_TURN


def user_turn(tracker: Tracker) -> int:
    return sum(1 for event in tracker.events if event.get("event") == "user")


async def unsure(
    dispatcher: CollectingDispatcher, tracker: Tracker, say: Callable[[], List[EventType]]
) -> List[EventType]:
    """Neither the NLU nor the knowledge base could help. The first time, `say` how to go on
    (its events are kept); the second time in a row, hand the shopper to a person rather than
    fail a third time."""
    turn = user_turn(tracker)
    previous = tracker.get_slot(UNSURE_SLOT)
    if previous is not None and int(previous) == turn - 1:
        return [SlotSet(UNSURE_SLOT, None), *await hand_off(dispatcher, tracker, Reason.unsure)]
    return [*say(), SlotSet(UNSURE_SLOT, float(turn))]
