"""Handing the conversation to a person, relaying while they own it, and taking it back.

`hand_off()` is called by every trigger: the shopper asks (or is upset: bot/rasa/policies/handoff.py
routes them here), the NLU and the knowledge base are unsure twice in a row (actions/faq.py),
three failed verifications or a failing shop API (actions/failures.py). It registers the
conversation with the back office and sets `handoff_active`; from then on the hand-off policy
sends every shopper message to `action_relay_to_agent` and the bot says nothing of its own.
The names shared with the Rasa server and the back office (slot, actions, reasons) are
bot/core/handoff.py's; the back-office client is actions/services.py's.

The messages that start and end a hand-off, and an agent's, carry `widget` metadata (a hand-off
`start`/`end`, the agent's first name and own words, the note that they joined) that the web
widget's channel sends with them (bot/rasa/channels/socketio.py): the widget then knows that a
person has the conversation (no "L'assistant écrit…") and shows who answers. Other channels
ignore it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff_email, services
from actions.common import facts, verified_number
from actions.knowledge import answer, search
from bot.clients.backoffice.client import BackOfficeUnavailable, HandoffNotOpen
from bot.clients.backoffice.models import PRIORITY, HandoffRequest, Reason, Summary
from bot.core import replies
from bot.core.handoff import (
    ACTIVE_SLOT,
    AGENT_REPLY_ACTION,
    HANDOFF_ACTION,
    RELAY_ACTION,
    RESOLVED_ACTION,
    RETURNED_ACTION,
)
from bot.core.mood import is_upset
from bot.core.shopper_replies import is_question, rating_from_text
from bot.dialogue.handoff import summarise, waiting_message
from bot.settings import get_settings

log = logging.getLogger(__name__)

RATING_BUTTONS = replies.RATINGS
# `widget=` metadata, read by bot/rasa/channels/socketio.py
HANDOFF_START = {"handoff": "start"}
HANDOFF_END = {"handoff": "end"}


def _upset(tracker: Tracker) -> bool:
    """The mood annotator (bot/rasa/nlu/mood_annotator.py) found the latest message upset."""
    return is_upset(tracker.latest_message)


def _give_contact_details(dispatcher: CollectingDispatcher) -> None:
    settings = get_settings()
    dispatcher.utter_message(
        text=replies.CONTACT_DETAILS.format(
            email=settings.support_email,
            phone=settings.support_phone,
            hours=settings.support_hours,
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
        summary=_with_customer(summarise(tracker.events, verified_number(tracker)), tracker),
        mood=replies.UPSET_MOOD if reason is Reason.upset or _upset(tracker) else None,
    )
    events: List[EventType] = [SlotSet("requested_slot", None)]
    if end_form and tracker.active_loop.get("name"):
        events.insert(0, ActiveLoop(None))
    try:
        ticket = await asyncio.to_thread(services.current().back_office.open_handoff, request)
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
    sorry = replies.SORRY_UPSET if request.mood else ""
    dispatcher.utter_message(
        text=sorry + waiting_message(ticket, settings.support_timezone), widget=HANDOFF_START
    )
    handoff_email.offer(dispatcher, tracker, ticket)  # after hours: the reply by e-mail too?
    return events + [SlotSet(ACTIVE_SLOT, True)]


def handoff_slots(events: List[EventType]) -> dict[str, Any]:
    """`hand_off()`'s events as the slot dictionary a form validation returns."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


class ActionHumanHandoff(Action):
    """The shopper asked for a person, or the mood annotator found them upset."""

    def name(self) -> str:
        return HANDOFF_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_slot(ACTIVE_SLOT):  # already with a person: nothing new to register
            return []
        reason = Reason.upset if _upset(tracker) else Reason.asked
        return await hand_off(dispatcher, tracker, reason)


class ActionRelayToAgent(Action):
    """While an agent owns the conversation: pass the message on, say nothing."""

    def name(self) -> str:
        return RELAY_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        emailed = await handoff_email.answer(dispatcher, tracker)
        if emailed is not None:  # the shopper answered the e-mail question: not for the agent
            return emailed
        text = tracker.latest_message.get("text") or ""
        try:
            status = await asyncio.to_thread(
                services.current().back_office.relay, tracker.sender_id, text
            )
        except HandoffNotOpen:  # closed in the back office without telling us: take over again
            dispatcher.utter_message(response="utter_handoff_over", widget=HANDOFF_END)
            return [SlotSet(ACTIVE_SLOT, False)]
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


def _with_customer(summary: Summary, tracker: Tracker) -> Summary:
    """The shopper's first name and e-mail, once an order proved who they are."""
    if summary.order_number:
        summary.customer_name = facts(tracker).first_name or None
        contact = str(tracker.get_slot("order_contact") or "")
        summary.email = contact if "@" in contact else None
    return summary


async def answer_while_waiting(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> List[EventType]:
    """Nobody has taken the case yet: a question the knowledge base answers with confidence is
    answered now; the agent still reads everything and follows up."""
    result = await search(tracker)
    if result is None or result.outcome != "answer":
        return []
    events = answer(dispatcher, result) or []
    dispatcher.utter_message(text=replies.AGENT_WILL_FOLLOW_UP)
    return events


def first_name(display_name: str | None) -> str:
    """What the shopper is told of the agent: their first name ("Julie" of "Julie Martin"),
    never an e-mail address; "Conseiller" when the back office sent nothing usable."""
    words = (display_name or "").split()
    if not words or "@" in words[0]:
        return replies.AGENT
    return words[0][:40]


def has_spoken(tracker: Tracker, name: str) -> bool:
    """Whether this agent already wrote in the current case: a reply of theirs (a bot event with
    `agent` metadata) since the hand-off began (the `handoff_active` slot set to true)."""
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "bot" and (event.get("metadata") or {}).get("agent") == name:
            return True
        if kind == "slot" and event.get("name") == ACTIVE_SLOT and event.get("value") is True:
            return False
    return False


class ActionAgentReply(Action):
    """An agent's reply from the back office (trigger_intent), said on the shopper's channel;
    before an agent's first reply in a case, that they joined the conversation."""

    def name(self) -> str:
        return AGENT_REPLY_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        text = next(tracker.get_latest_entity_values("agent_text"), None)
        name = first_name(next(tracker.get_latest_entity_values("agent_name"), None))
        if not text:
            return []
        if not has_spoken(tracker, name):
            dispatcher.utter_message(
                text=replies.AGENT_JOINED.format(name=name),
                widget={"agent": name, "note": True},
            )
        # `agent` lands in the bot event's metadata: the transcript tells it from the bot.
        dispatcher.utter_message(
            text=replies.AGENT_SAYS.format(name=name, text=text),
            agent=name,
            widget={"agent": name, "text": text},
        )
        return []


class ActionHandoffResolved(Action):
    """The agent closed the case: the bot is back and asks how it went."""

    def name(self) -> str:
        return RESOLVED_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(
            response="utter_ask_rating", buttons=RATING_BUTTONS, widget=HANDOFF_END
        )
        return [SlotSet(ACTIVE_SLOT, False)]


class ActionHandoffReturned(Action):
    """The agent gave the conversation back without closing it."""

    def name(self) -> str:
        return RETURNED_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_returned", widget=HANDOFF_END)
        return [SlotSet(ACTIVE_SLOT, False)]


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
                await asyncio.to_thread(
                    services.current().back_office.rate, tracker.sender_id, rating
                )
            except BackOfficeUnavailable:  # kept in the tracker all the same
                log.exception("rating not recorded conversation=%s", tracker.sender_id)
        dispatcher.utter_message(response="utter_thank_rating")
        return []
