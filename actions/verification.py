"""Proof of ownership, shared by every form that acts on an order.

A form first collects the order number and the e-mail or postcode, then asks the shop whether
they match; only then does it ask for what its own request needs (`extra_slots`). The shopper
learns nothing about an order they have not proved is theirs.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.common import (
    HUMAN_BUTTON,
    MAX_VERIFICATION_FAILURES,
    call_shop,
    order_facts,
    proof_clients,
    proof_lapsed,
    proof_of,
    shop,
    throttle,
    verified_number,
)
from actions.handoff import handoff_slots, shop_down, verification_locked
from bot.dialogue.texts import safe
from bot.nlu.patterns import normalise_email, normalise_order_number, normalise_postcode
from bot.shop.client import (
    OrderNotFound,
    ShopError,
    ShopUnavailable,
    TooManyAttempts,
    VerificationFailed,
)
from bot.shop.models import Verification

IDENTITY_SLOTS = ["order_number", "order_contact"]
# One answer whether the number is unknown or the proof is wrong: which numbers exist is the
# shop's business, not a guesser's.
NO_MATCH = ("Je ne trouve aucune commande qui corresponde à ce numéro et à cette adresse "
            "e-mail ou ce code postal. Vérifiez les deux : le numéro (CM suivi de 6 chiffres) "
            "figure dans l'e-mail de confirmation, envoyé à l'adresse utilisée pour l'achat.")
PROVE_AGAIN = ("Pour protéger vos informations, je dois vérifier à nouveau que la commande est "
               "bien la vôtre.")
SHOP_THROTTLED = ("Je ne peux pas vérifier cette commande pour le moment : trop d'essais ont "
                  "échoué. Réessayez dans quelques minutes, ou demandez un conseiller.")


def minutes(seconds: float) -> str:
    count = max(1, round(seconds / 60))
    return f"{count} minute{'s' if count > 1 else ''}"


def throttled_message(wait_s: float) -> str:
    return ("Il y a eu trop d'essais de vérification infructueux : pour protéger les commandes "
            f"de nos clients, je ne peux pas en vérifier d'autre avant {minutes(wait_s)}. "
            "Un conseiller peut vous aider entre-temps.")


def proof_wait(tracker: Tracker) -> float:
    """Seconds this client must wait before its next proof (0: it may try now)."""
    return throttle().wait_seconds(proof_clients(tracker))


class OrderFormValidation(FormValidationAction):
    """Base of the validate_<form> actions; subclasses name the form and its extra slots."""

    @abstractmethod
    def name(self) -> str: ...

    def extra_slots(self, tracker: Tracker) -> List[str]:
        """Slots asked once the order is verified; decided from the order's facts."""
        return []

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher,
        tracker: Tracker, domain: DomainDict,
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
        required = await self.required_slots(
            self.domain_slots(domain), dispatcher, tracker, domain)
        missing = (slot for slot in required if tracker.slots.get(slot) is None)
        return SlotSet("requested_slot", next(missing, None))

    def validate_order_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        number = normalise_order_number(str(value or ""))
        if number is None:
            dispatcher.utter_message(
                text=("Ce numéro ne ressemble pas à un numéro de commande "
                      "(6 chiffres, ex. CM123456)."))
        return {"order_number": number}

    def validate_order_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "")
        contact = normalise_email(text) or normalise_postcode(text)
        if contact is None:
            dispatcher.utter_message(
                text="Je n'ai pas reconnu d'adresse e-mail ni de code postal dans votre réponse.")
        return {"order_contact": contact}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events: List[EventType] = []
        if proof_lapsed(tracker):
            dispatcher.utter_message(text=PROVE_AGAIN)
            lapsed = {"verified_order": None, "order_contact": None, "order_facts": None}
            tracker.slots.update(lapsed)
            events += [SlotSet(slot, value) for slot, value in lapsed.items()]
        events += await super().get_validation_events(dispatcher, tracker, domain)
        number, contact = tracker.get_slot("order_number"), tracker.get_slot("order_contact")
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
        if throttle().wait_seconds(clients):
            return {"order_contact": None}  # the form ends; the action after it says why
        try:
            order = await call_shop(tracker, "verify", shop().verify_order, number,
                                    proof_of(contact), clients[-1].key)
        except (OrderNotFound, VerificationFailed):
            throttle().record_failure(clients)
            failures += 1
            if failures < MAX_VERIFICATION_FAILURES:
                dispatcher.utter_message(text=NO_MATCH)
            return {"order_number": None, "order_contact": None,
                    "verification_failures": failures}
        except TooManyAttempts:
            dispatcher.utter_message(text=SHOP_THROTTLED, buttons=[HUMAN_BUTTON])
            return {"order_number": None, "order_contact": None}
        except ShopUnavailable:  # ends the form (requested_slot None): a person takes over
            return handoff_slots(await shop_down(dispatcher, tracker, end_form=False))
        return {"verified_order": order.number, "order_number": order.number,
                "verification_failures": 0, "order_facts": order_facts(order)}


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
                dispatcher.utter_message(text=throttled_message(wait), buttons=[HUMAN_BUTTON])
            return []
        try:
            return await self.act(dispatcher, tracker, number,
                                  proof_of(tracker.get_slot("order_contact")))
        except ShopUnavailable:
            return await shop_down(dispatcher, tracker)
        except ShopError as error:  # the shop's own French explanation of its refusal
            dispatcher.utter_message(text=safe(str(error), 300), buttons=[HUMAN_BUTTON])
        return []
