"""Abandoning a request mid-way ("laissez tomber"): stop the form, forget its answers."""
from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

# What a form collected for its own request; a verified order is kept for the next request.
REQUEST_SLOTS = ("cancel_confirmed", "return_skus", "return_reason", "claim_type", "new_address")


class ActionAbandonRequest(Action):
    def name(self) -> str:
        return "action_abandon_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_abandoned")
        return [ActiveLoop(None), SlotSet("requested_slot", None),
                *(SlotSet(slot, None) for slot in REQUEST_SLOTS)]
