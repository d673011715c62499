"""Proof of ownership, shared by every form that acts on an order.

A form first collects the order number and the e-mail or postcode, then asks the shop whether
they match; only then does it ask for what its own request needs (`extra_slots`). The shopper
learns nothing about an order they have not proved is theirs.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import services
from actions.common import (
    HUMAN_BUTTON,
    MAX_VERIFICATION_FAILURES,
    call_shop,
    proof_clients,
    proof_lapsed,
    proof_of,
    verified_number,
)
from actions.failures import not_supported, shop_down, verification_locked
from actions.handoff import handoff_slots
from actions.notices import follow
from bot.clients.shop.contract import (
    NotSupported,
    OrderNotFound,
    ShopError,
    ShopUnavailable,
    TooManyAttempts,
    VerificationFailed,
)
from bot.clients.shop.models import Verification
from bot.core import order_numbers, replies
from bot.core.patterns import normalise_email, normalise_order_number, normalise_postcode
from bot.core.shopper_replies import fold, yes_or_no
from bot.dialogue.ownership import VERIFIED_SLOT, proof_expired
from bot.dialogue.texts import one_line
from bot.dialogue.verified_order import FACTS_SLOT, VerifiedOrder
from bot.settings import get_settings

IDENTITY_SLOTS = ["order_number", "order_contact"]
ANOTHER_ORDER = re.compile(r"\b(?:autre|deuxieme|seconde|2e|nouvelle) commande\b")
POSTCODE_SAID = re.compile(r"\b(?:code postal|cp|c\.p\.|postal)\W*$")
# One answer whether the number is unknown or the proof is wrong (bot/core/replies.py).
NO_MATCH = replies.NO_MATCH


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def contact_in_latest(tracker: Tracker) -> bool:
    return any(
        entity.get("entity") in ("email", "postcode")
        for entity in tracker.latest_message.get("entities") or []
    )


def earlier_proof(events: List[Dict[str, Any]], number: str) -> str | None:
    """The e-mail or postcode that proved `number` earlier in this conversation, if any."""
    contact = None
    for event in events:
        if event.get("event") != "slot":
            continue
        if event.get("name") == "order_contact":
            contact = event.get("value")
        elif event.get("name") == VERIFIED_SLOT and event.get("value") == number:
            return contact
    return None


def proof_wait(tracker: Tracker) -> float:
    """Seconds this client must wait before its next proof (0: it may try now)."""
    return services.current().throttle.wait_seconds(proof_clients(tracker))


class OrderFormValidation(FormValidationAction):
    """Base of the validate_<form> actions; subclasses name the form and its extra slots."""

    @abstractmethod
    def name(self) -> str: ...

    def extra_slots(self, tracker: Tracker) -> List[str]:
        """Slots asked once the order is verified; decided from the order's facts."""
        return []

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        if verified_number(tracker):
            return IDENTITY_SLOTS + self.extra_slots(tracker)
        if (tracker.get_slot("verification_failures") or 0) >= MAX_VERIFICATION_FAILURES:
            return []  # ends the form; the action that follows offers a human
        if proof_wait(tracker):
            return []  # ends the form; the action that follows says how long to wait
        return IDENTITY_SLOTS

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType:
        """Always say which slot comes next (None ends the form), rather than leaving it to
        the Rasa server whenever the list happens to equal the domain's."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (slot for slot in required if tracker.slots.get(slot) is None)
        return SlotSet("requested_slot", next(missing, None))

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Every slot of the form is read from every message, not only those asked so far:
        "commande CM…, mail …, le vase est arrivé cassé" fills the claim's type before the
        order is even verified. (Each `extract_` method knows when its slot may be read.)"""
        found: Dict[str, Any] = {}
        for slot in self.domain_slots(domain):
            extracted = await self._extract_slot(slot, dispatcher, tracker, domain)
            found.update(extracted)
            tracker.slots.update(extracted)
        return [SlotSet(slot, value) for slot, value in found.items()]

    async def extract_order_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The first order number of the message; "l'autre commande" without one forgets the
        current one; digits typed when the number is asked are taken as an attempt at it (a
        five-digit "48339" is not a postcode then)."""
        text = tracker.latest_message.get("text") or ""
        numbers = [
            e.get("value")
            for e in tracker.latest_message.get("entities") or []
            if e.get("entity") == "order_number"
        ]
        if numbers:
            return {"order_number": numbers[0]}
        if ANOTHER_ORDER.search(fold(text)):
            return {"order_number": None, "order_contact": None}
        if tracker.get_slot("requested_slot") == "order_number":
            attempt = order_numbers.current().attempt.search(text)
            if attempt:
                return {"order_number": attempt.group(0).strip()}
        return {}

    async def extract_order_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """The e-mail or the postcode that proves the order. A five-digit number is a postcode
        only when the proof was asked for, when it comes with the order number, or when the
        shopper says it is one ("cp 69003"): typed when the number is asked, in a new address
        or in a delivery question, it is not a proof."""
        entities = tracker.latest_message.get("entities") or []
        email = next((e.get("value") for e in entities if e.get("entity") == "email"), None)
        if email:
            return {"order_contact": email}
        postcode = next((e for e in entities if e.get("entity") == "postcode"), None)
        if postcode is None or tracker.get_slot("order_contact"):
            return {}
        text = tracker.latest_message.get("text") or ""
        said_so = POSTCODE_SAID.search(
            fold(text[max(0, postcode.get("start", 0) - 20) : postcode.get("start", 0)])
        )
        with_number = any(e.get("entity") == "order_number" for e in entities)
        asked = tracker.get_slot("requested_slot") == "order_contact"
        if asked or said_so or with_number:
            return {"order_contact": postcode.get("value")}
        return {}

    async def extract_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """A yes or a no to the summary, typed ("oui annulez", "non finalement") or pressed;
        anything else (a question...) fills nothing, and the form's interruption handling
        answers it before asking again."""
        if tracker.get_slot("requested_slot") != "confirmed":
            return {}
        answer = yes_or_no(tracker.latest_message.get("text") or "", latest_intent(tracker))
        return {} if answer is None else {"confirmed": answer}

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        number = normalise_order_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(text=replies.not_an_order_number())
            return {"order_number": None}
        return {"order_number": number}

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "")
        contact = normalise_email(text) or normalise_postcode(text)
        if contact is None:
            dispatcher.utter_message(text=replies.NO_CONTACT_FOUND)
        return {"order_contact": contact}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = []
        if proof_lapsed(tracker):
            dispatcher.utter_message(text=replies.PROVE_AGAIN)
            lapsed = {VERIFIED_SLOT: None, "order_contact": None, FACTS_SLOT: None}
            tracker.slots.update(lapsed)
            events += [SlotSet(slot, value) for slot, value in lapsed.items()]
        extracted = tracker.slots_to_validate()
        events += await super().get_validation_events(dispatcher, tracker, domain)
        # Rasa-sdk validates only the slots asked so far; what the shopper gave ahead (the
        # claim's type, the new address) is kept, each `extract_` method having checked it.
        returned = {event["name"] for event in events if event.get("event") == "slot"}
        events += [
            SlotSet(slot, value)
            for slot, value in extracted.items()
            if slot not in returned and hasattr(self, f"extract_{slot}")
        ]
        tracker.slots.update(
            {event["name"]: event["value"] for event in events if event.get("event") == "slot"}
        )
        number, contact = tracker.get_slot("order_number"), tracker.get_slot("order_contact")
        proved = tracker.get_slot(VERIFIED_SLOT)
        if (
            number
            and not contact_in_latest(tracker)
            and ((proved and number != proved) or (number == proved and not contact))
        ):
            # Another order than the one proved needs its own proof: given earlier in this
            # conversation ("et la première ?") or asked for now.
            still_good = not proof_expired(
                tracker.events, number, get_settings().verified_order_idle_minutes * 60
            )
            earlier = earlier_proof(tracker.events, number) if still_good else None
            if earlier != contact:
                contact = tracker.slots["order_contact"] = earlier
                events.append(SlotSet("order_contact", contact))
        locked = (tracker.get_slot("verification_failures") or 0) >= MAX_VERIFICATION_FAILURES
        if number and contact and not locked and not verified_number(tracker):
            verification = await self._verify(dispatcher, tracker, number, contact)
            tracker.slots.update(verification)
            events += [SlotSet(slot, value) for slot, value in verification.items()]
        return events

    async def _verify(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, contact: str
    ) -> Dict[str, Any]:
        failures = int(tracker.get_slot("verification_failures") or 0)
        clients = proof_clients(tracker)
        shop, throttle = services.current().shop, services.current().throttle
        if throttle.wait_seconds(clients):
            return {"order_contact": None}  # the form ends; the action after it says why
        try:
            order = await call_shop(
                tracker, "verify", shop.verify_order, number, proof_of(contact), clients[-1].key
            )
        except (OrderNotFound, VerificationFailed):
            throttle.record_failure(clients)
            failures += 1
            if failures < MAX_VERIFICATION_FAILURES:
                dispatcher.utter_message(text=NO_MATCH)
            return {"order_number": None, "order_contact": None, "verification_failures": failures}
        except TooManyAttempts:
            dispatcher.utter_message(text=replies.SHOP_THROTTLED, buttons=[HUMAN_BUTTON])
            return {"order_number": None, "order_contact": None}
        except ShopUnavailable:  # ends the form (requested_slot None): a person takes over
            return handoff_slots(await shop_down(dispatcher, tracker, end_form=False))
        if order.first_name:
            dispatcher.utter_message(
                text=replies.ORDER_PROVED.format(first_name=one_line(order.first_name, 40))
            )
        await follow(tracker, order)  # a delay on its way is told to this conversation
        return {
            VERIFIED_SLOT: order.number,
            "order_number": order.number,
            "verification_failures": 0,
            FACTS_SLOT: VerifiedOrder.from_order(order).to_slot(),
        }


class VerifiedOrderAction(Action, ABC):
    """Base of the actions that run when a form ends: act only on a verified order, and turn
    shop failures into a clear answer instead of an exception."""

    @abstractmethod
    def name(self) -> str: ...

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, proof: Verification
    ) -> List[EventType]: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        number = verified_number(tracker)
        if number is None:
            # Below the failure limit, the form only ends unverified when this client must
            # wait before its next proof, or when the shop was down (already handed over).
            if (tracker.get_slot("verification_failures") or 0) >= MAX_VERIFICATION_FAILURES:
                return await verification_locked(dispatcher, tracker)
            wait = proof_wait(tracker)
            if wait:
                dispatcher.utter_message(text=replies.throttled(wait), buttons=[HUMAN_BUTTON])
            return []
        try:
            return await self.act(
                dispatcher, tracker, number, proof_of(tracker.get_slot("order_contact"))
            )
        except ShopUnavailable:
            return await shop_down(dispatcher, tracker)
        except NotSupported as error:
            return await not_supported(dispatcher, tracker, error)
        except ShopError as error:  # the shop's own French explanation of its refusal
            dispatcher.utter_message(text=one_line(str(error), 300), buttons=[HUMAN_BUTTON])
        return []
