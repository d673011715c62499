"""Leaving a request mid-way: "laissez tomber", or thanks and goodbye before it is finished.

The form stops, its answers are forgotten (a verified order is kept for the next request), and
the shopper is told what was kept: nothing irreversible happens without their yes.
"""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import replies

# What a form collected for its own request; a verified order is kept for the next request.
REQUEST_SLOTS = ("confirmed", "return_skus", "return_reason", "claim_type", "new_address")


class ActionAbandonRequest(Action):
    def name(self) -> str:
        return "action_abandon_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        form = (tracker.active_loop or {}).get("name")
        if not form:  # nothing under way: a plain "no"
            dispatcher.utter_message(response="utter_deny_nothing_pending")
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(text=replies.leaving(form, intent))
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *(SlotSet(slot, None) for slot in REQUEST_SLOTS),
        ]
