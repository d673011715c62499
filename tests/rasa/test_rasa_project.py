"""Rasa's own checks: the training data is consistent, and every story test passes with the
trained model (NLU and dialogue together, from the shoppers' words)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.rasa.conftest import run_rasa

pytestmark = pytest.mark.rasa

# Responses that forms ask, or actions and policies (bot/rasa/policies/turns.py) send by name:
# Rasa's validator cannot see those uses.
USED_BY_FORMS_OR_ACTIONS = {
    "utter_ask_order_number",
    "utter_ask_order_contact",
    "utter_ask_claim_type",
    "utter_ask_claim_photo",
    "utter_ask_return_reason",
    "utter_cancel_kept",
    "utter_default",
    "utter_ask_rating",
    "utter_thank_rating",
    "utter_handoff_over",
    "utter_handoff_returned",
    "utter_out_of_scope",
    "utter_greet_in_form",
}
# Intents that no shopper types: the back office sends them through trigger_intent and the
# hand-off policy handles them (bot/rasa/policies/handoff.py); ratings and "stop notices"
# come from buttons.
NOT_TYPED = {
    "agent_reply",
    "handoff_resolved",
    "handoff_returned",
    "order_delayed",
    "photo_sent",  # the widget's photo, once the back office has kept it (issue 19)
    "rate",
    "stop_notices",
}


def test_training_data_is_valid():
    result = run_rasa("data", "validate", "--fail-on-warnings")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line]
    explained = [f"'{name}' is not used" for name in USED_BY_FORMS_OR_ACTIONS | NOT_TYPED] + [
        f"'{name}' is listed in the domain file, but is not found in the NLU" for name in NOT_TYPED
    ]
    unexplained = [w for w in warnings if not any(reason in w for reason in explained)]
    assert unexplained == []


def test_every_story_test_passes(trained_model: Path, tmp_path: Path):
    result = run_rasa(
        "test",
        "core",
        "--model",
        str(trained_model),
        "--stories",
        "tests/stories",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else (result.stdout + result.stderr)[-3000:]
    assert result.returncode == 0, details
    report = (tmp_path / "story_report.json").read_text()
    assert re.search(r'"accuracy": 1\.0', report), report[:2000]
