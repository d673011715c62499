""" "Je vais patienter" means waiting only when there is something to wait for
(bot/rasa/policies/turns.py): elsewhere its thanks or goodbye are answered."""

from __future__ import annotations

from rasa.shared.core.domain import Domain

from bot.rasa.policies.turns import next_action
from tests.in_rasa.conftest import ActionExecuted, said, tracker_of


def test_waiting_with_nothing_to_wait_for_is_thanked(domain: Domain) -> None:
    tracker = tracker_of(domain, said("ok merci, je vais patienter alors", "wait"))
    assert next_action(tracker) == "utter_thank"
    tracker.update(ActionExecuted("utter_thank"))
    assert next_action(tracker) == "action_listen"


def test_waiting_with_a_goodbye_is_said_goodbye(domain: Domain) -> None:
    tracker = tracker_of(domain, said("j'attends alors, bonne journée", "wait"))
    assert next_action(tracker) == "utter_goodbye"


def test_waiting_without_courtesy_is_left_to_the_rules(domain: Domain) -> None:
    assert next_action(tracker_of(domain, said("je vais attendre", "wait"))) is None


def test_waiting_after_the_order_status_is_left_to_the_rules(domain: Domain) -> None:
    tracker = tracker_of(
        domain,
        said("où est ma commande 512345 ?", "track_order"),
        ActionExecuted("action_track_order"),
        ActionExecuted("action_listen"),
        said("ok merci, je vais patienter", "wait"),
    )
    assert next_action(tracker) is None
