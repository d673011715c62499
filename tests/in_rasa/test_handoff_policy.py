"""The hand-off policy decides from the tracker alone: who owns the conversation, and whether
the message came from the back office or from an upset shopper."""

from __future__ import annotations

import logging

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain

from bot.core.handoff import (
    ACTIVE_SLOT,
    AGENT_REPLY_INTENT,
    HANDOFF_ACTION,
    RELAY_ACTION,
    RESOLVED_INTENT,
    RETURNED_INTENT,
)
from bot.rasa.policies.handoff import HandoffPolicy, next_action
from tests.in_rasa.conftest import ActionExecuted, SlotSet, said, tracker_of

UPSET = {"label": "upset", "compound": -0.8, "cues": ["inadmissible"]}


@pytest.mark.parametrize(
    "intent, action",
    [
        (AGENT_REPLY_INTENT, "action_agent_reply"),
        (RESOLVED_INTENT, "action_handoff_resolved"),
        (RETURNED_INTENT, "action_handoff_returned"),
    ],
)
def test_back_office_intents_run_their_action(domain: Domain, intent: str, action: str) -> None:
    tracker = tracker_of(domain, said(f"EXTERNAL: {intent}", intent))
    assert next_action(tracker) == action
    assert action in domain.action_names_or_texts


def test_while_an_agent_owns_it_every_message_is_relayed(domain: Domain) -> None:
    tracker = tracker_of(domain, SlotSet(ACTIVE_SLOT, True), said("c'est encore long ?", "faq"))
    assert next_action(tracker) == RELAY_ACTION


def test_without_an_agent_the_other_policies_decide(domain: Domain) -> None:
    assert next_action(tracker_of(domain, said("où est mon colis", "track_order"))) is None


def test_an_upset_shopper_goes_to_a_person(domain: Domain) -> None:
    tracker = tracker_of(domain, said("c'est inadmissible", "track_order", mood=UPSET))
    assert next_action(tracker) == HANDOFF_ACTION


def test_a_damaged_parcel_is_not_anger_without_an_angry_cue(domain: Domain) -> None:
    sad = {"label": "upset", "compound": -0.7, "cues": []}
    tracker = tracker_of(
        domain, said("le carton est écrasé, tout est cassé", "problem_report", mood=sad)
    )
    assert next_action(tracker) is None


def test_after_its_own_action_the_bot_listens(domain: Domain) -> None:
    tracker = tracker_of(
        domain, SlotSet(ACTIVE_SLOT, True), said("allô ?", "faq"), ActionExecuted(RELAY_ACTION)
    )
    assert next_action(tracker) == "action_listen"


def policy_in(tmp_path) -> HandoffPolicy:
    """The policy as Rasa's graph builds it (HandoffPolicy.create), on an empty model store."""
    return HandoffPolicy.create(
        HandoffPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("handoff"),
        ExecutionContext(GraphSchema({})),
    )


def test_the_policy_predicts_through_rasa(domain: Domain, tmp_path) -> None:
    policy = policy_in(tmp_path)
    tracker = tracker_of(domain, SlotSet(ACTIVE_SLOT, True), said("vous êtes là ?", "faq"))
    prediction = policy.predict_action_probabilities(tracker, domain)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    assert domain.action_names_or_texts[best] == RELAY_ACTION
    assert prediction.probabilities[best] == 1.0


def test_a_bug_in_the_policy_is_logged_not_fatal(
    domain: Domain, tmp_path, monkeypatch, caplog
) -> None:
    policy = policy_in(tmp_path)
    monkeypatch.setattr(policy, "decide", lambda tracker: 1 / 0)
    with caplog.at_level(logging.ERROR):
        prediction = policy.predict_action_probabilities(tracker_of(domain), domain)
    assert max(prediction.probabilities) == 0.0
    assert "HandoffPolicy failed" in caplog.text
