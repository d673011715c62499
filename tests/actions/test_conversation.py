"""Abandoning a request mid-way."""

from __future__ import annotations

from rasa_sdk.events import ActiveLoop

from actions.conversation import ActionAbandonRequest
from tests.actions.conftest import run, slots_set, texts, tracker, verified


def test_abandon_stops_the_form_and_keeps_the_verified_order(shop):
    events, dispatcher = run(
        ActionAbandonRequest(),
        tracker(verified(return_skus="PULL-01"), active_loop="return_item_form"),
    )
    assert ActiveLoop(None) in events
    assert slots_set(events)["return_skus"] is None
    assert "verified_order" not in slots_set(events)
    assert texts(dispatcher) == (
        "C'est noté, j'arrête là. Aucun retour n'a été créé. Puis-je vous aider pour autre chose ?"
    )


def test_laissez_tomber_with_nothing_under_way_is_a_plain_no():
    events, dispatcher = run(ActionAbandonRequest(), tracker())
    assert events == [] and dispatcher.messages[0]["response"] == "utter_deny_nothing_pending"


def test_thanks_in_the_middle_of_a_request_close_it_politely(shop):
    t = tracker(verified(), intent="goodbye", active_loop="cancel_order_form")
    events, dispatcher = run(ActionAbandonRequest(), t)
    assert ActiveLoop(None) in events
    assert texts(dispatcher) == (
        "Au revoir et bonne journée ! Votre commande est conservée, "
        "rien n'a été annulé. Revenez quand vous voulez."
    )
