"""A shopper who asks for a person is told honestly how to reach the team.

The live hand-off to an agent's inbox comes with the back office; until then the bot stops
what it was doing and gives the team's contact details.
"""
from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.settings import get_settings


class ActionHumanHandoff(Action):
    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        settings = get_settings()
        dispatcher.utter_message(
            text=("Je comprends, vous préférez parler à une personne. Je ne peux pas encore vous "
                  "transférer directement : notre équipe vous répond par e-mail à "
                  f"{settings.support_email} ou par téléphone au {settings.support_phone}, "
                  f"{settings.support_hours}. Indiquez votre numéro de commande, cela ira "
                  "plus vite."))
        return [ActiveLoop(None), SlotSet("requested_slot", None)]
