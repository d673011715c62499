"""A new session after a long silence: an agent who owns the conversation keeps it."""

from __future__ import annotations

from actions.session import ActionSessionStart
from tests.actions.conftest import run, slots_set, tracker


def test_a_new_session_keeps_the_agent_in_charge():
    events, _ = run(ActionSessionStart(), tracker(slots={"handoff_active": True}))
    assert [e["event"] for e in events] == ["session_started", "slot", "action"]
    assert slots_set(events) == {"handoff_active": True}


def test_a_new_session_otherwise_starts_afresh():
    events, _ = run(ActionSessionStart(), tracker(slots={"handoff_active": None}))
    assert [e["event"] for e in events] == ["session_started", "action"]
