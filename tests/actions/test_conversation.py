"""Abandoning a request mid-way."""
from __future__ import annotations

from rasa_sdk.events import ActiveLoop

from actions.conversation import ActionAbandonRequest
from tests.actions.conftest import run, slots_set, tracker, verified


def test_abandon_stops_the_form_and_keeps_the_verified_order(shop):
    events, dispatcher = run(ActionAbandonRequest(),
                             tracker(verified(return_skus="PULL-01"),
                                     active_loop="return_item_form"))
    assert ActiveLoop(None) in events
    assert slots_set(events)["return_skus"] is None
    assert "verified_order" not in slots_set(events)
    assert dispatcher.messages[0]["response"] == "utter_abandoned"
