"""Address changes before shipping."""
from __future__ import annotations

from actions.changes import ActionChangeAddress, ValidateChangeOrderForm
from tests.actions.conftest import run, slot_events, texts, tracker, validate, verified


def test_unreadable_address_is_asked_again(shop, domain):
    t = tracker(verified("CM200001"), active_loop="change_order_form",
                events=slot_events(new_address="chez moi"))
    slots, dispatcher = validate(ValidateChangeOrderForm(), t, domain)
    assert slots["new_address"] is None and slots["requested_slot"] == "new_address"
    assert "12 rue des Lilas" in texts(dispatcher)


def test_address_is_changed_and_confirmed_escaped(shop):
    new = "5 rue <script>alert(1)</script> des Lilas, 44000 Nantes"
    _, dispatcher = run(ActionChangeAddress(), tracker(verified("CM200001", new_address=new)))
    said = texts(dispatcher)
    assert "<script>" not in said
    assert "44000 Nantes" in said
    assert shop.orders["CM200001"].shipping_address.postcode == "44000"


def test_shipped_order_address_cannot_change(shop):
    _, dispatcher = run(ActionChangeAddress(), tracker(verified("CM100234",
                                                                new_address="1 rue X 75001 Paris")))
    assert "déjà expédiée" in texts(dispatcher)
    assert all(call[0] != "address" for call in shop.calls)
