"""The start of a session: what a conversation keeps after a long silence."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core.handoff import ACTIVE_SLOT


class ActionSessionStart(Action):
    """A new session (after an hour of silence) forgets everything, except that a person owns
    the conversation: an agent answering the next morning must not find the bot talking."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if tracker.get_slot(ACTIVE_SLOT):
            events.append(SlotSet(ACTIVE_SLOT, True))
        return events + [ActionExecuted("action_listen")]
