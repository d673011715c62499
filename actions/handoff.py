"""Handing the conversation to a person, relaying while they own it, and taking it back.

`hand_off()` is called by every trigger: the shopper asks (or is upset: bot/rasa/policies/handoff.py
routes them here), the NLU and the knowledge base are unsure twice in a row (actions/faq.py),
three failed verifications or a failing shop API (actions/verification.py). It registers the
conversation with the back office and sets `handoff_active`; from then on the hand-off policy
sends every shopper message to `action_relay_to_agent` and the bot says nothing of its own.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import verified_number
from actions.knowledge import answer, search
from bot.clients.backoffice.client import BackOfficeClient, BackOfficeUnavailable, HandoffNotOpen
from bot.clients.backoffice.models import PRIORITY, HandoffRequest, Reason
from bot.core.shopper_replies import is_question, rating_from_text
from bot.dialogue.handoff import summarise, waiting_message
from bot.settings import get_settings

log = logging.getLogger(__name__)

ACTIVE = "handoff_active"
RATING_BUTTONS = [
    {"title": "⭐" * n, "payload": f'/rate{{"rating": "{n}"}}'} for n in range(5, 0, -1)
]

_client: BackOfficeClient | None = None


def back_office() -> BackOfficeClient:
    global _client
    if _client is None:
        _client = BackOfficeClient.from_settings()
    return _client


def use_back_office(client: BackOfficeClient | None) -> None:
    """Swap the back-office client (tests)."""
    global _client
    _client = client


def _upset(tracker: Tracker) -> bool:
    return (tracker.latest_message.get("mood") or {}).get("label") == "upset"


def _give_contact_details(dispatcher: CollectingDispatcher) -> None:
    settings = get_settings()
    dispatcher.utter_message(
        text=(
            "Je ne peux pas vous transférer à un conseiller pour le moment. Notre équipe vous "
            f"répond par e-mail à {settings.support_email} ou par téléphone au "
            f"{settings.support_phone}, {settings.support_hours}. Indiquez votre numéro de "
            "commande, cela ira plus vite."
        )
    )


async def hand_off(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: Reason, end_form: bool = True
) -> List[EventType]:
    """Register the hand-off and tell the shopper what happens next. If the back office cannot
    take it, say how to reach the team instead of promising a person. `end_form=False` inside
    a form's validation, which ends the form by clearing `requested_slot` itself."""
    settings = get_settings()
    request = HandoffRequest(
        conversation_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "rest",
        reason=reason,
        priority=PRIORITY[reason],
        summary=summarise(tracker.events, verified_number(tracker)),
        mood="mécontent" if reason is Reason.upset or _upset(tracker) else None,
    )
    events: List[EventType] = [SlotSet("requested_slot", None)]
    if end_form and tracker.active_loop.get("name"):
        events.insert(0, ActiveLoop(None))
    try:
        ticket = await asyncio.to_thread(back_office().open_handoff, request)
    except BackOfficeUnavailable:
        log.exception(
            "hand-off not registered conversation=%s reason=%s", tracker.sender_id, reason.value
        )
        _give_contact_details(dispatcher)
        return events
    log.info(
        "hand-off conversation=%s reason=%s ticket=%s agents_online=%s",
        tracker.sender_id,
        reason.value,
        ticket.id,
        ticket.agents_online,
    )
    sorry = (
        "Je suis désolé pour ce désagrément, je comprends votre mécontentement. "
        if request.mood
        else ""
    )
    dispatcher.utter_message(text=sorry + waiting_message(ticket, settings.support_timezone))
    return events + [SlotSet(ACTIVE, True)]


def handoff_slots(events: List[EventType]) -> dict[str, Any]:
    """`hand_off()`'s events as the slot dictionary a form validation returns."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


class ActionHumanHandoff(Action):
    """The shopper asked for a person, or the mood annotator found them upset."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_slot(ACTIVE):  # already with a person: nothing new to register
            return []
        reason = Reason.upset if _upset(tracker) else Reason.asked
        return await hand_off(dispatcher, tracker, reason)


class ActionRelayToAgent(Action):
    """While an agent owns the conversation: pass the message on, say nothing."""

    def name(self) -> str:
        return "action_relay_to_agent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        try:
            status = await asyncio.to_thread(back_office().relay, tracker.sender_id, text)
        except HandoffNotOpen:  # closed in the back office without telling us: take over again
            dispatcher.utter_message(response="utter_handoff_over")
            return [SlotSet(ACTIVE, False)]
        except BackOfficeUnavailable:
            # The message stays in the conversation's history, which the agent reads.
            log.exception("relay failed conversation=%s", tracker.sender_id)
            status = "waiting"
        if status == "waiting" and _simple_question(tracker):
            return await answer_while_waiting(dispatcher, tracker)
        return []


# Questions about the shop's rules, as opposed to the shopper's own order (the agent who has
# the case answers those) or small talk ("vous êtes là ?").
SHOP_QUESTIONS = frozenset({"faq", "delivery_time"})
RULE_QUESTIONS = frozenset({"return_item", "cancel_order", "change_order"})


def _simple_question(tracker: Tracker) -> bool:
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return intent in SHOP_QUESTIONS or (
        intent in RULE_QUESTIONS and is_question(tracker.latest_message.get("text") or "")
    )


async def answer_while_waiting(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Nobody has taken the case yet: a question the knowledge base answers with confidence is
    answered now; the agent still reads everything and follows up."""
    result = await search(tracker)
    if result is None or result.outcome != "answer":
        return []
    events = answer(dispatcher, result) or []
    dispatcher.utter_message(text="Un conseiller reprendra aussi votre demande dès que possible.")
    return events


class ActionAgentReply(Action):
    """An agent's reply from the back office (trigger_intent), said on the shopper's channel."""

    def name(self) -> str:
        return "action_agent_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = next(tracker.get_latest_entity_values("agent_text"), None)
        name = next(tracker.get_latest_entity_values("agent_name"), None) or "Conseiller"
        if text:
            # `agent` lands in the bot event's metadata: the transcript tells it from the bot.
            dispatcher.utter_message(text=f"{name} (service client) : {text}", agent=name)
        return []


class ActionHandoffResolved(Action):
    """The agent closed the case: the bot is back and asks how it went."""

    def name(self) -> str:
        return "action_handoff_resolved"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_rating", buttons=RATING_BUTTONS)
        return [SlotSet(ACTIVE, False)]


class ActionHandoffReturned(Action):
    """The agent gave the conversation back without closing it."""

    def name(self) -> str:
        return "action_handoff_returned"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_returned")
        return [SlotSet(ACTIVE, False)]


class ActionRecordRating(Action):
    def name(self) -> str:
        return "action_record_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        value = next(tracker.get_latest_entity_values("rating"), None)
        try:
            rating = int(str(value))
        except ValueError:  # typed rather than pressed: "5", "4 étoiles", "bof"
            rating = rating_from_text(tracker.latest_message.get("text") or "") or 0
        if 1 <= rating <= 5:
            try:
                await asyncio.to_thread(back_office().rate, tracker.sender_id, rating)
            except BackOfficeUnavailable:  # kept in the tracker all the same
                log.exception("rating not recorded conversation=%s", tracker.sender_id)
        dispatcher.utter_message(response="utter_thank_rating")
        return []


async def shop_down(
    dispatcher: CollectingDispatcher, tracker: Tracker, end_form: bool = True
) -> List[EventType]:
    """The shop's API is failing: nothing the bot can do about an order, a person can."""
    dispatcher.utter_message(
        text="Toutes mes excuses : notre système de commandes ne répond pas pour le moment."
    )
    return await hand_off(dispatcher, tracker, Reason.shop_down, end_form)


async def verification_locked(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Third failed proof of ownership: the bot stops asking; a person can check by other means."""
    dispatcher.utter_message(
        text=(
            "Je n'ai pas pu vérifier cette commande après plusieurs essais : pour protéger les "
            "données de nos clients, je ne peux pas aller plus loin moi-même."
        )
    )
    return await hand_off(dispatcher, tracker, Reason.verification)


class ActionSessionStart(Action):
    """A new session (after an hour of silence) forgets everything, except that a person owns
    the conversation: an agent answering the next morning must not find the bot talking."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        if tracker.get_slot(ACTIVE):
            events.append(SlotSet(ACTIVE, True))
        return events + [ActionExecuted("action_listen")]
