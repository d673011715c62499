"""Proof of ownership before any order is shown or changed."""
from __future__ import annotations

from actions.orders import ValidateTrackOrderForm
from actions.returns import ValidateReturnItemForm
from tests.actions.conftest import EMAIL, POSTCODE, slot_events, texts, tracker, validate


def form_tracker(**slots: object) -> object:
    return tracker(slots=slots, active_loop="track_order_form", events=slot_events(**slots))


def test_number_alone_asks_for_the_contact(shop, domain):
    slots, _ = validate(ValidateTrackOrderForm(), form_tracker(order_number="CM100234"), domain)
    assert slots["order_number"] == "CM100234"
    assert slots["requested_slot"] == "order_contact"
    assert shop.calls == []  # nothing is asked of the shop before both parts are known


def test_matching_email_verifies_and_ends_the_form(shop, domain):
    slots, dispatcher = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM100234", order_contact=EMAIL),
        domain)
    assert slots["verified_order"] == "CM100234"
    assert slots["order_facts"]["status"] == "shipped"
    assert slots["requested_slot"] is None
    assert dispatcher.messages == []


def test_postcode_is_accepted_as_proof(shop, domain):
    slots, _ = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM100234", order_contact=POSTCODE),
        domain)
    assert slots["verified_order"] == "CM100234"


def test_wrong_email_reveals_nothing_and_asks_again(shop, domain):
    slots, dispatcher = validate(
        ValidateTrackOrderForm(),
        form_tracker(order_number="CM100234", order_contact="autre@exemple.fr"), domain)
    said = texts(dispatcher)
    assert slots["order_contact"] is None and slots["verification_failures"] == 1
    assert slots["requested_slot"] == "order_contact"
    assert "ne correspondent pas" in said
    for secret in ("Camille", "Lyon", "Colissimo", "Pull", "shipped", "expédi"):
        assert secret not in said


def test_unknown_number_is_said_clearly(shop, domain):
    slots, dispatcher = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM999999", order_contact=EMAIL),
        domain)
    assert slots["order_number"] is None and slots["requested_slot"] == "order_number"
    assert "Je ne trouve aucune commande portant le numéro CM999999" in texts(dispatcher)


def test_third_failure_ends_the_form_without_a_retry_message(shop, domain):
    t = tracker(slots={"order_number": "CM100234", "order_contact": "x@y.fr",
                       "verification_failures": 2}, active_loop="track_order_form",
                events=slot_events(order_contact="x@y.fr"))
    slots, dispatcher = validate(ValidateTrackOrderForm(), t, domain)
    assert slots["verification_failures"] == 3
    assert slots["requested_slot"] is None  # the form stops; the next action offers a human
    assert dispatcher.messages == []


def test_locked_conversation_is_not_verified_again(shop, domain):
    t = tracker(slots={"verification_failures": 3, "order_number": "CM100234",
                       "order_contact": EMAIL}, active_loop="track_order_form",
                events=slot_events(order_contact=EMAIL))
    slots, _ = validate(ValidateTrackOrderForm(), t, domain)
    assert "verified_order" not in slots and slots["requested_slot"] is None


def test_shop_down_apologises_ends_the_form_and_hands_over(shop, domain, back_office):
    shop.down = True
    slots, dispatcher = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM100234", order_contact=EMAIL),
        domain)
    assert slots["requested_slot"] is None and "verified_order" not in slots
    assert slots["handoff_active"] is True
    assert "Toutes mes excuses" in texts(dispatcher)
    assert [h.reason.value for h in back_office.handoffs] == ["shop_down"]


def test_contact_without_email_or_postcode_is_refused(shop, domain):
    slots, dispatcher = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM100234", order_contact="bonjour"),
        domain)
    assert slots["order_contact"] is None
    assert "ni de code postal" in texts(dispatcher)


def test_extra_slots_are_asked_only_after_verification(shop, domain):
    slots, _ = validate(
        ValidateReturnItemForm(),
        tracker(slots={"order_number": "CM300001", "order_contact": EMAIL},
                active_loop="return_item_form",
                events=slot_events(order_number="CM300001", order_contact=EMAIL)),
        domain)
    assert slots["verified_order"] == "CM300001"
    assert slots["requested_slot"] == "return_skus"
