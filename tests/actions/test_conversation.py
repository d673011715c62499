"""Abandoning a request, asking for a human, not being understood."""
from __future__ import annotations

from rasa_sdk.events import ActiveLoop, FollowupAction

from actions.conversation import ActionAbandonRequest
from actions.faq import ActionFallback
from actions.handoff import ActionHumanHandoff
from tests.actions.conftest import run, slots_set, texts, tracker, verified


def test_abandon_stops_the_form_and_keeps_the_verified_order(shop):
    events, dispatcher = run(ActionAbandonRequest(),
                             tracker(verified(return_skus="PULL-01"), active_loop="return_item_form"))
    assert ActiveLoop(None) in events
    assert slots_set(events)["return_skus"] is None
    assert "verified_order" not in slots_set(events)
    assert dispatcher.messages[0]["response"] == "utter_abandoned"


def test_human_request_gives_contact_details_and_stops_the_form():
    events, dispatcher = run(ActionHumanHandoff(), tracker(active_loop="track_order_form"))
    assert "service-client@boutique-demo.fr" in texts(dispatcher)
    assert ActiveLoop(None) in events


def test_fallback_in_a_form_asks_again():
    events, dispatcher = run(ActionFallback(), tracker({"requested_slot": "order_number"},
                                                       active_loop="track_order_form"))
    assert "numéro de commande" in texts(dispatcher)
    assert events == [FollowupAction("track_order_form")]


def test_fallback_outside_a_form_offers_the_menu():
    events, dispatcher = run(ActionFallback(), tracker())
    assert dispatcher.messages[0]["response"] == "utter_default" and events == []
