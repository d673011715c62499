"""Proof of ownership before any order is shown or changed."""

from __future__ import annotations

import time

from actions.common import HUMAN_BUTTON, proof_clients, verified_number
from actions.orders import ActionTrackOrder, ValidateTrackOrderForm
from actions.returns import ValidateReturnItemForm
from actions.verification import NO_MATCH
from tests.actions.conftest import (
    EMAIL,
    POSTCODE,
    run,
    slot_events,
    texts,
    tracker,
    validate,
    verified,
)


def form_tracker(**slots: object) -> object:
    return tracker(slots=slots, active_loop="track_order_form", events=slot_events(**slots))


def test_number_alone_asks_for_the_contact(shop, domain):
    slots, _ = validate(ValidateTrackOrderForm(), form_tracker(order_number="CM100234"), domain)
    assert slots["order_number"] == "CM100234"
    assert slots["requested_slot"] == "order_contact"
    assert shop.calls == []  # nothing is asked of the shop before both parts are known


def test_matching_email_verifies_and_ends_the_form(shop, domain):
    slots, dispatcher = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM100234", order_contact=EMAIL), domain
    )
    assert slots["verified_order"] == "CM100234"
    assert slots["order_facts"]["status"] == "shipped"
    assert slots["requested_slot"] is None
    assert texts(dispatcher) == "Merci Camille, c'est bien votre commande."  # nothing else


def test_postcode_is_accepted_as_proof(shop, domain):
    slots, _ = validate(
        ValidateTrackOrderForm(),
        form_tracker(order_number="CM100234", order_contact=POSTCODE),
        domain,
    )
    assert slots["verified_order"] == "CM100234"


def test_wrong_email_and_unknown_number_get_the_same_answer(shop, domain):
    """Which numbers exist is not for a guesser to learn: one answer, both parts asked again."""
    answers = []
    for number, contact in (("CM100234", "autre@exemple.fr"), ("CM999999", EMAIL)):
        slots, dispatcher = validate(
            ValidateTrackOrderForm(),
            form_tracker(order_number=number, order_contact=contact),
            domain,
        )
        assert slots["order_number"] is None and slots["order_contact"] is None
        assert slots["verification_failures"] == 1
        assert slots["requested_slot"] == "order_number"
        answers.append(texts(dispatcher))
    assert answers[0] == answers[1] == NO_MATCH
    for secret in ("Camille", "Lyon", "Colissimo", "Pull", "shipped", "expédi", "CM999999"):
        assert secret not in answers[0]


def test_wrong_proofs_are_counted_per_client_and_the_shop_is_told_who_asks(
    shop, domain, proof_counter
):
    web = {"event": "user", "text": "x", "metadata": {"client_ip": "203.0.113.9"}}
    for _ in range(5):
        t = tracker(
            slots={"order_number": "CM100234", "order_contact": "x@y.fr"},
            active_loop="track_order_form",
            events=[web, *slot_events(order_number="CM100234", order_contact="x@y.fr")],
        )
        validate(ValidateTrackOrderForm(), t, domain)
    assert len(set(shop.clients)) == 1 and shop.clients[0] not in (None, "203.0.113.9")
    calls = len(shop.calls)
    # the sixth attempt, even with the right e-mail, is not sent to the shop: the form ends
    t = tracker(
        slots={"order_number": "CM100234", "order_contact": EMAIL},
        active_loop="track_order_form",
        events=[web, *slot_events(order_number="CM100234", order_contact=EMAIL)],
    )
    slots, _ = validate(ValidateTrackOrderForm(), t, domain)
    assert len(shop.calls) == calls and slots["requested_slot"] is None
    events, dispatcher = run(ActionTrackOrder(), tracker(events=[web]))
    assert "trop d'essais" in texts(dispatcher) and "15 minutes" in texts(dispatcher)
    assert dispatcher.messages[-1]["buttons"] == [HUMAN_BUTTON]
    # new conversation ids from the same address: allowed, until that address has failed 10
    # times; then every conversation from it waits, and one from elsewhere does not
    for n in range(5):
        t = tracker(
            slots={"order_number": "CM100234", "order_contact": "x@y.fr"},
            active_loop="track_order_form",
            events=[web, *slot_events(order_number="CM100234", order_contact="x@y.fr")],
        )
        t.sender_id = f"new-id-{n}"
        validate(ValidateTrackOrderForm(), t, domain)
    assert len(shop.calls) == calls + 5
    fresh = tracker(events=[web])
    fresh.sender_id = "yet-another-id"
    assert proof_counter.wait_seconds(proof_clients(fresh)) > 0
    elsewhere = tracker(events=[{"event": "user", "metadata": {"client_ip": "198.51.100.4"}}])
    elsewhere.sender_id = "elsewhere"
    assert proof_counter.wait_seconds(proof_clients(elsewhere)) == 0


def test_a_proof_lapses_after_the_shopper_was_away(shop, domain):
    now = time.time()
    away = [
        {
            "event": "slot",
            "name": "verified_order",
            "value": "CM100234",
            "timestamp": now - 3 * 3600,
        },
        {"event": "user", "text": "je reviens", "timestamp": now},
    ]
    slots = verified("CM100234")
    assert verified_number(tracker(slots=slots)) == "CM100234"
    assert verified_number(tracker(slots=slots, events=away)) is None
    got, dispatcher = validate(
        ValidateTrackOrderForm(),
        tracker(
            slots=slots,
            active_loop="track_order_form",
            events=[*away, *slot_events(order_number="CM100234")],
        ),
        domain,
    )
    assert got["verified_order"] is None and got["order_contact"] is None
    assert got["requested_slot"] == "order_contact"
    assert "vérifier à nouveau" in texts(dispatcher)
    assert shop.calls[-1][0] == "verify" and len(shop.calls) == 1  # only verified()'s own call


def test_third_failure_ends_the_form_without_a_retry_message(shop, domain):
    t = tracker(
        slots={"order_number": "CM100234", "order_contact": "x@y.fr", "verification_failures": 2},
        active_loop="track_order_form",
        events=slot_events(order_contact="x@y.fr"),
    )
    slots, dispatcher = validate(ValidateTrackOrderForm(), t, domain)
    assert slots["verification_failures"] == 3
    assert slots["requested_slot"] is None  # the form stops; the next action offers a human
    assert dispatcher.messages == []


def test_locked_conversation_is_not_verified_again(shop, domain):
    t = tracker(
        slots={"verification_failures": 3, "order_number": "CM100234", "order_contact": EMAIL},
        active_loop="track_order_form",
        events=slot_events(order_contact=EMAIL),
    )
    slots, _ = validate(ValidateTrackOrderForm(), t, domain)
    assert "verified_order" not in slots and slots["requested_slot"] is None


def test_shop_down_apologises_ends_the_form_and_hands_over(shop, domain, back_office):
    shop.down = True
    slots, dispatcher = validate(
        ValidateTrackOrderForm(), form_tracker(order_number="CM100234", order_contact=EMAIL), domain
    )
    assert slots["requested_slot"] is None and "verified_order" not in slots
    assert slots["handoff_active"] is True
    assert "Toutes mes excuses" in texts(dispatcher)
    assert [h.reason.value for h in back_office.handoffs] == ["shop_down"]


def test_contact_without_email_or_postcode_is_refused(shop, domain):
    slots, dispatcher = validate(
        ValidateTrackOrderForm(),
        form_tracker(order_number="CM100234", order_contact="bonjour"),
        domain,
    )
    assert slots["order_contact"] is None
    assert "ni de code postal" in texts(dispatcher)


def test_extra_slots_are_asked_only_after_verification(shop, domain):
    slots, _ = validate(
        ValidateReturnItemForm(),
        tracker(
            slots={"order_number": "CM300001", "order_contact": EMAIL},
            active_loop="return_item_form",
            events=slot_events(order_number="CM300001", order_contact=EMAIL),
        ),
        domain,
    )
    assert slots["verified_order"] == "CM300001"
    assert slots["requested_slot"] == "return_skus"
