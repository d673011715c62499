"""Checks, run with the Rasa environment's Python (.venv-rasa has no pytest), that the Rasa
speed-ups give Rasa's own results; tests/rasa/test_speedups.py runs it and reads the JSON
it prints. Exit status 1 with the first difference found.

  state-memo     bot/rasa/speedups/state_memo.py against Domain.states_for_tracker_history
                 and DialogueStateTracker.applied_events,
                 on every story of data/ and tests/stories/ grown one event at a time (as a
                 conversation grows turn by turn), plain and with undo/restart events added.
  tracker-store  bot/rasa/tracker_store.py against Rasa's SQLTrackerStore on the same database:
                 a temporary SQLite file, or the PostgreSQL server given as
                 `tracker-store postgresql://user@host:port/db`.
"""

from __future__ import annotations

import asyncio
import copy
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.rasa.speedups.state_memo import AppliedEventsMemo, StateMemo  # noqa: E402
from bot.rasa.tracker_store import CachedSQLTrackerStore  # noqa: E402


class Different(AssertionError):
    pass


def story_events(domain: Domain) -> list[list[Event]]:
    from rasa.core.training import load_data
    from rasa.shared.importers.importer import TrainingDataImporter

    conversations = []
    for folder in ("data/stories", "data/rules", "tests/stories"):
        importer = TrainingDataImporter.load_from_dict(
            domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / folder)]
        )
        for tracker in load_data(importer, domain, augmentation_factor=0, remove_duplicates=False):
            if len(tracker.events) > 3:
                conversations.append(list(tracker.events))
    return conversations


def with_undos(events: list[Event], rng: random.Random) -> list[Event]:
    """The same conversation with rewinds, restarts and session starts spliced in."""
    out = list(events)
    for undo in (UserUtteranceReverted(), ActionReverted(), Restarted(), SessionStarted()):
        out.insert(rng.randrange(1, len(out)), undo)
        out.insert(rng.randrange(1, len(out)), ActionExecuted("action_listen"))
    return out


def with_hidden_turns(events: list[Event], rng: random.Random) -> list[Event]:
    """As RulePolicy logs them live: some actions marked as rule-only turns."""
    out = []
    for event in events:
        if isinstance(event, ActionExecuted) and rng.random() < 0.4:
            event = copy.copy(event)
            event.hide_rule_turn = True
        out.append(event)
    return out


def check_state_memo() -> dict[str, Any]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    rule_only = {
        "rule_only_slots": [slot.name for slot in domain.slots][:3],
        "rule_only_loops": list(domain.form_names)[:2],
    }
    kinds = [
        dict(),
        dict(omit_unset_slots=True),
        dict(ignore_rule_only_turns=True, rule_only_data=rule_only),
        dict(ignore_rule_only_turns=True, rule_only_data=None),
    ]
    memo, applied = StateMemo(), AppliedEventsMemo()
    rng = random.Random(7)
    conversations = story_events(domain)
    compared = 0
    variants = (
        conversations
        + [with_undos(e, rng) for e in conversations]
        + [with_hidden_turns(e, rng) for e in conversations]
    )
    for events in variants:
        sender = "one conversation id"  # each story replaces the last: the memo must notice
        for end in range(1, len(events) + 1):
            tracker = DialogueStateTracker.from_events(sender, events[:end], domain.slots)
            expected_events, got_events = tracker.applied_events(), applied.applied_events(tracker)
            if len(got_events) != len(expected_events) or any(
                a is not b for a, b in zip(got_events, expected_events, strict=True)
            ):
                raise Different(f"{sender} after {end} events: applied events differ")
            got_events.clear()  # callers edit what they get; the memo must not care
            for kind in kinds:
                expected = domain.states_for_tracker_history(tracker, **kind)
                got = memo.states(domain, tracker, **kind)
                if got != expected:
                    raise Different(
                        f"{sender} after {end} events, {kind}:\n"
                        f"rasa {expected[-3:]}\nmemo {got[-3:]}"
                    )
                got[-1].pop("user", None)  # callers edit what they get; the memo must not care
                compared += 1
    if not memo.resumed or not applied.resumed:
        raise Different("a memo never resumed: it is recomputing everything")
    return {
        "conversations": len(conversations),
        "compared": compared,
        "states": {"resumed": memo.resumed, "restarted": memo.restarted},
        "applied_events": {"resumed": applied.resumed, "restarted": applied.restarted},
    }


def as_dicts(tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
    return [event.as_dict() for event in tracker.events] if tracker else []


def turn(tracker: DialogueStateTracker, i: int) -> None:
    tracker.update(UserUttered(f"message {i}", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(SlotSet("unsure_turn", None))
    tracker.update(ActionExecuted("action_listen"))


def store_settings(url: str | None, tmp: str) -> dict[str, Any]:
    """SQLTrackerStore's keyword arguments (as endpoints.yml gives them) for `url`."""
    if not url:
        return {"dialect": "sqlite", "db": str(Path(tmp) / "tracker.db")}
    parsed = urlsplit(url)
    return {
        "dialect": "postgresql",
        "host": parsed.hostname,
        "port": parsed.port,
        "username": parsed.username,
        "db": parsed.path.lstrip("/"),
    }


async def check_tracker_store(url: str | None) -> dict[str, Any]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        settings = store_settings(url, tmp)
        cached = CachedSQLTrackerStore(domain, cache_size=2, **settings)
        plain_store = SQLTrackerStore(domain, **settings)
        checks = 0

        async def same(sender: str) -> DialogueStateTracker:
            nonlocal checks
            got, expected = await cached.retrieve(sender), await plain_store.retrieve(sender)
            if as_dicts(got) != as_dicts(expected):
                raise Different(
                    f"{sender}: cached store differs from Rasa's after "
                    f"{len(as_dicts(expected))} events"
                )
            checks += 1
            return got  # type: ignore[return-value]

        if await cached.retrieve("nobody") is not None:
            raise Different("a conversation that does not exist was found")
        for sender in ("alice", "bob", "carol"):  # three conversations, room for two
            tracker = await cached.get_or_create_tracker(sender)
            for i in range(5):
                turn(tracker, i)
                await cached.save(tracker)
                tracker = await same(sender)
        again = await cached.retrieve("carol")
        first = (await cached.retrieve("carol")).events[3]  # type: ignore[union-attr]
        if again is None or again.events[3] is not first:
            raise Different("a second retrieve decoded the conversation again")
        # Another Rasa process writes to the same conversation.
        other = await plain_store.retrieve("carol")
        turn(other, 99)  # type: ignore[arg-type]
        await plain_store.save(other)  # type: ignore[arg-type]
        tracker = await same("carol")
        # A new session: only its events are the conversation from now on.
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        turn(tracker, 100)
        await cached.save(tracker)
        tracker = await same("carol")
        if not isinstance(tracker.events[0], SessionStarted):
            raise Different("the new session does not start the conversation")
        turn(tracker, 101)
        await cached.save(tracker)
        await same("carol")
        # Another process starts a new session in a conversation this one has cached.
        other = await plain_store.retrieve("carol")
        for event in (
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
        ):
            other.update(event)  # type: ignore[union-attr]
        turn(other, 102)  # type: ignore[arg-type]
        await plain_store.save(other)  # type: ignore[arg-type]
        await same("carol")
        # Two writers at once (what Rasa's lock store prevents): whatever Rasa's own store
        # then keeps, this one must serve the same.
        mine, other = await cached.retrieve("carol"), await plain_store.retrieve("carol")
        turn(other, 103)  # type: ignore[arg-type]
        await plain_store.save(other)  # type: ignore[arg-type]
        turn(mine, 104)  # type: ignore[arg-type]
        await cached.save(mine)  # type: ignore[arg-type]
        await same("carol")
        await same("alice")  # evicted from the cache, read again from the database
    return {"checks": checks, "dialect": cached.engine.dialect.name}


def main(which: str, url: str | None = None) -> int:
    try:
        result = (
            check_state_memo() if which == "state-memo" else asyncio.run(check_tracker_store(url))
        )
    except Different as error:
        print(json.dumps({"ok": False, "error": str(error)}))
        return 1
    print(json.dumps({"ok": True, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
