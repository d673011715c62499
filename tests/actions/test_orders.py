"""Order tracking once the order is verified."""

from __future__ import annotations

from actions.orders import ActionTrackOrder
from tests.actions.conftest import run, slots_set, texts, tracker, verified


def test_tracking_gives_status_carrier_link_event_and_date(shop):
    events, dispatcher = run(ActionTrackOrder(), tracker(verified()))
    said = texts(dispatcher)
    assert "CM100234 est expédiée" in said
    assert "Colissimo, n° de suivi 6A12345678901" in said
    assert "Plateforme de Wissous" in said
    assert "24 novembre" in said
    assert "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901" in said
    assert events == []


def test_late_order_apologises_and_offers_options(shop):
    _, dispatcher = run(ActionTrackOrder(), tracker(verified("CM400001")))
    assert "était prévue" in texts(dispatcher)
    assert "désolé pour ce retard" in texts(dispatcher)
    payloads = [b["payload"] for b in dispatcher.messages[-1]["buttons"]]
    assert payloads == ["/wait", "/problem_report", "/human_handoff"]


def test_unverified_order_is_never_shown_and_a_person_takes_over(shop, back_office):
    slots = {"order_number": "CM100234", "order_contact": "x@y.fr", "verification_failures": 3}
    events, dispatcher = run(ActionTrackOrder(), tracker(slots))
    assert "Colissimo" not in texts(dispatcher)
    assert "après plusieurs essais" in texts(dispatcher)
    assert [h.reason.value for h in back_office.handoffs] == ["verification"]
    assert back_office.handoffs[0].summary.order_number is None  # never verified
    assert slots_set(events)["handoff_active"] is True
    assert all(call[0] != "tracking" for call in shop.calls)


def test_verified_slot_for_another_number_does_not_count(shop):
    slots = {**verified(), "order_number": "CM200001"}
    _, dispatcher = run(ActionTrackOrder(), tracker(slots))
    assert "préparation" not in texts(dispatcher)


def test_shop_down_apologises_and_hands_over_with_the_verified_order(shop, back_office):
    slots = verified()
    shop.down = True
    events, dispatcher = run(ActionTrackOrder(), tracker(slots))
    assert "Toutes mes excuses" in texts(dispatcher)
    assert "conseiller" in texts(dispatcher)
    [request] = back_office.handoffs
    assert request.reason.value == "shop_down" and request.priority == 2
    assert request.summary.order_number == "CM100234"
    assert slots_set(events)["handoff_active"] is True
