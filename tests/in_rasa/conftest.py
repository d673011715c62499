"""Unit tests of the code that runs inside the Rasa server, run in-process under its own
Python 3.10 environment (`make test-rasa`): Rasa's real classes, no server, no trained model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def said(
    text: str,
    intent: str,
    confidence: float = 0.9,
    mood: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> UserUttered:
    """A shopper's message as the NLU pipeline hands it to the policies."""
    parse_data: dict[str, Any] = {"intent": {"name": intent, "confidence": confidence}}
    if mood is not None:
        parse_data["mood"] = mood
    return UserUttered(text, {"name": intent, "confidence": confidence}, entities or [], parse_data)


def tracker_of(domain: Domain, *events: Any) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "test", [ActionExecuted("action_listen"), *events], slots=domain.slots
    )


__all__ = ["ActionExecuted", "SlotSet", "said", "tracker_of"]
