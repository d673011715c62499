"""Address changes before shipping."""

from __future__ import annotations

from actions.changes import ActionChangeAddress, ValidateChangeOrderForm
from tests.actions.conftest import run, texts, tracker, validate, verified


def test_an_address_in_words_is_read_and_chez_moi_is_not(shop, domain):
    def fill(text: str) -> dict:
        t = tracker(
            {**verified("CM200001"), "requested_slot": "new_address"},
            text=text,
            active_loop="change_order_form",
        )
        return validate(ValidateChangeOrderForm(), t, domain)[0]

    assert "new_address" not in fill("chez moi")
    slots = fill("livrez plutôt au 12 rue des Lilas 44000 Nantes svp")
    assert slots["new_address"] == "12 rue des Lilas, 44000 Nantes"
    assert slots["requested_slot"] == "confirmed"


def test_address_is_changed_and_confirmed_without_brackets(shop):
    """Brackets are no part of an address: the parser drops them (bot/dialogue/addresses.py),
    so neither the shop nor the confirmation gets them (nothing is escaped either)."""
    new = "5 rue <script>alert(1)</script> des Lilas, 44000 Nantes"
    _, dispatcher = run(
        ActionChangeAddress(), tracker(verified("CM200001", new_address=new, confirmed=True))
    )
    said = texts(dispatcher)
    assert "<script>" not in said and "&lt;" not in said
    assert "44000 Nantes" in said
    assert shop.orders["CM200001"].shipping_address.postcode == "44000"


def test_shipped_order_address_cannot_change(shop):
    _, dispatcher = run(
        ActionChangeAddress(), tracker(verified("CM100234", new_address="1 rue X 75001 Paris"))
    )
    assert "déjà expédiée" in texts(dispatcher)
    assert all(call[0] != "address" for call in shop.calls)
