"""Cancellation: only before shipping, only after an explicit yes."""

from __future__ import annotations

from actions.cancellations import ActionCancelOrder, ValidateCancelOrderForm
from actions.confirmation import ActionAskConfirmed
from tests.actions.conftest import (
    EMAIL,
    run,
    slot_events,
    slots_set,
    texts,
    tracker,
    validate,
    verified,
)


def test_cancellable_order_asks_for_confirmation(shop, domain):
    t = tracker(
        {"order_number": "CM200001", "order_contact": EMAIL},
        active_loop="cancel_order_form",
        events=slot_events(order_number="CM200001", order_contact=EMAIL),
    )
    slots, _ = validate(ValidateCancelOrderForm(), t, domain)
    assert slots["requested_slot"] == "confirmed"
    _, dispatcher = run(
        ActionAskConfirmed(), tracker(verified("CM200001"), active_loop="cancel_order_form")
    )
    assert "CM200001" in texts(dispatcher) and "annulation" in texts(dispatcher)
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


def test_a_typed_yes_or_no_is_understood_and_a_question_is_not_an_answer(shop, domain):
    def answer(text: str, intent: str) -> dict:
        t = tracker(
            {**verified("CM200001"), "requested_slot": "confirmed"},
            text=text,
            intent=intent,
            active_loop="cancel_order_form",
        )
        return validate(ValidateCancelOrderForm(), t, domain)[0]

    assert answer("oui annulez", "cancel_order")["confirmed"] is True
    assert answer("ok allez-y", "affirm")["confirmed"] is True
    assert answer("non finalement je la garde", "deny")["confirmed"] is False
    question = answer("et je serai remboursé quand si j'annule ?", "faq")
    assert "confirmed" not in question  # nothing filled: the question is answered first


def test_shipped_order_skips_the_question(shop, domain):
    t = tracker(
        {"order_number": "CM100234", "order_contact": EMAIL},
        active_loop="cancel_order_form",
        events=slot_events(order_number="CM100234", order_contact=EMAIL),
    )
    slots, _ = validate(ValidateCancelOrderForm(), t, domain)
    assert slots["requested_slot"] is None


def test_confirmed_cancellation_cancels_and_announces_the_refund(shop):
    events, dispatcher = run(ActionCancelOrder(), tracker(verified("CM200001", confirmed=True)))
    assert "la commande CM200001 est annulée" in texts(dispatcher)
    assert "104,50 €" in texts(dispatcher)
    assert shop.orders["CM200001"].status.value == "cancelled"
    assert slots_set(events)["order_facts"]["status"] == "cancelled"


def test_denied_cancellation_keeps_the_order(shop):
    events, dispatcher = run(ActionCancelOrder(), tracker(verified("CM200001", confirmed=False)))
    assert dispatcher.messages[0]["response"] == "utter_cancel_kept"
    assert shop.orders["CM200001"].status.value == "preparing"
    assert slots_set(events) == {"confirmed": None}


def test_shipped_order_explains_and_offers_a_return_later(shop):
    _, dispatcher = run(ActionCancelOrder(), tracker(verified("CM100234", confirmed=True)))
    assert "je ne peux plus l'annuler" in texts(dispatcher)
    assert "retourner gratuitement sous 14 jours" in texts(dispatcher)
    assert all(call[0] != "cancel" for call in shop.calls)
