"""Cancellation: only before shipping, only after an explicit yes."""
from __future__ import annotations

from actions.cancellations import (
    ActionAskCancelConfirmed,
    ActionCancelOrder,
    ValidateCancelOrderForm,
)
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
    t = tracker({"order_number": "CM200001", "order_contact": EMAIL},
                active_loop="cancel_order_form",
                events=slot_events(order_number="CM200001", order_contact=EMAIL))
    slots, _ = validate(ValidateCancelOrderForm(), t, domain)
    assert slots["requested_slot"] == "cancel_confirmed"
    _, dispatcher = run(ActionAskCancelConfirmed(), tracker(verified("CM200001")))
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/affirm", "/deny"]


def test_shipped_order_skips_the_question(shop, domain):
    t = tracker({"order_number": "CM100234", "order_contact": EMAIL},
                active_loop="cancel_order_form",
                events=slot_events(order_number="CM100234", order_contact=EMAIL))
    slots, _ = validate(ValidateCancelOrderForm(), t, domain)
    assert slots["requested_slot"] is None


def test_confirmed_cancellation_cancels_and_announces_the_refund(shop):
    events, dispatcher = run(ActionCancelOrder(), tracker(verified("CM200001",
                                                                   cancel_confirmed=True)))
    assert "la commande CM200001 est annulée" in texts(dispatcher)
    assert "104,50 €" in texts(dispatcher)
    assert shop.orders["CM200001"].status.value == "cancelled"
    assert slots_set(events)["order_facts"]["status"] == "cancelled"


def test_denied_cancellation_keeps_the_order(shop):
    events, dispatcher = run(ActionCancelOrder(), tracker(verified("CM200001",
                                                                   cancel_confirmed=False)))
    assert dispatcher.messages[0]["response"] == "utter_cancel_kept"
    assert shop.orders["CM200001"].status.value == "preparing"
    assert slots_set(events) == {"cancel_confirmed": None}


def test_shipped_order_explains_and_offers_a_return_later(shop):
    _, dispatcher = run(ActionCancelOrder(), tracker(verified("CM100234",
                                                              cancel_confirmed=True)))
    assert "je ne peux plus l'annuler" in texts(dispatcher)
    assert "retourner gratuitement sous 14 jours" in texts(dispatcher)
    assert all(call[0] != "cancel" for call in shop.calls)
