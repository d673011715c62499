"""General questions and unclear messages."""
from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.settings import get_settings

FORM_QUESTIONS = {
    "order_number": "Il me faut le numéro de commande (6 chiffres, ex. CM123456).",
    "order_contact": "Il me faut l'adresse e-mail de la commande ou le code postal de livraison.",
}


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        settings = get_settings()
        dispatcher.utter_message(
            text=("Je ne sais pas encore répondre à ce type de question. Notre équipe vous "
                  f"répond à {settings.support_email} ou au {settings.support_phone}, "
                  f"{settings.support_hours}."))
        return []


class ActionFallback(Action):
    """Said when the bot did not understand: re-ask the form's question, or offer the menu."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        loop = (tracker.active_loop or {}).get("name")
        if loop:
            hint = FORM_QUESTIONS.get(tracker.get_slot("requested_slot") or "", "")
            dispatcher.utter_message(
                text=f"Je n'ai pas trouvé l'information attendue dans votre message. {hint}".strip())
            return [FollowupAction(loop)]
        dispatcher.utter_message(response="utter_default")
        return []
