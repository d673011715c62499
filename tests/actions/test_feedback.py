"""'Was this helpful?' answers are recorded with the entry they are about."""

from __future__ import annotations

import json

import pytest
from rasa_sdk import Tracker

from actions.feedback import ActionRecordFaqFeedback
from bot.settings import get_settings
from tests.actions.conftest import run, slots_set, texts


@pytest.fixture
def feedback_file(tmp_path, monkeypatch):
    path = tmp_path / "feedback.jsonl"
    monkeypatch.setattr(get_settings(), "faq_feedback_file", path)
    return path


def feedback_tracker(value: str | None, entry: str | None = "payment.instalments") -> Tracker:
    entities = [{"entity": "helpful", "value": value}] if value else []
    return Tracker(
        sender_id="conv-1",
        slots={"kb_entry": entry},
        latest_message={
            "text": "/faq_feedback",
            "intent": {"name": "faq_feedback"},
            "entities": entities,
        },
        events=[{"event": "user", "input_channel": "rest"}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


@pytest.mark.parametrize("value, helpful", [("yes", True), ("no", False)])
def test_feedback_is_appended_as_a_json_line(feedback_file, value, helpful):
    events, dispatcher = run(ActionRecordFaqFeedback(), feedback_tracker(value))
    line = json.loads(feedback_file.read_text().splitlines()[-1])
    assert (line["conversation"], line["entry"], line["helpful"]) == (
        "conv-1",
        "payment.instalments",
        helpful,
    )
    assert line["channel"] == "rest"
    assert slots_set(events) == {"kb_entry": None}
    assert "Merci" in texts(dispatcher)
    assert bool(dispatcher.messages[0].get("buttons")) is (not helpful)  # offers a human


@pytest.mark.parametrize("value, entry", [(None, "payment.instalments"), ("yes", None)])
def test_feedback_without_entry_or_value_is_thanked_not_recorded(feedback_file, value, entry):
    events, dispatcher = run(ActionRecordFaqFeedback(), feedback_tracker(value, entry))
    assert not feedback_file.exists() and events == []
