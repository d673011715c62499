"""Order tracking once the order is verified."""
from __future__ import annotations

from actions.orders import ActionTrackOrder
from tests.actions.conftest import run, texts, tracker, verified


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


def test_unverified_order_is_never_shown(shop):
    slots = {"order_number": "CM100234", "order_contact": "x@y.fr", "verification_failures": 3}
    _, dispatcher = run(ActionTrackOrder(), tracker(slots))
    assert "Colissimo" not in texts(dispatcher)
    assert "après plusieurs essais" in texts(dispatcher)
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/human_handoff"
    assert all(call[0] != "tracking" for call in shop.calls)


def test_verified_slot_for_another_number_does_not_count(shop):
    slots = {**verified(), "order_number": "CM200001"}
    _, dispatcher = run(ActionTrackOrder(), tracker(slots))
    assert "préparation" not in texts(dispatcher)


def test_shop_down_gives_an_apology_with_retry_and_human(shop):
    slots = verified()
    shop.down = True
    _, dispatcher = run(ActionTrackOrder(), tracker(slots))
    assert "Toutes mes excuses" in texts(dispatcher)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ["/track_order", "/human_handoff"]
