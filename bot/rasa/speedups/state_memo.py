"""Rasa 3.6's `Domain.states_for_tracker_history` and `DialogueStateTracker.applied_events`,
resumable.

Every dialogue policy asks for the states of the whole conversation on every prediction
(RulePolicy and MemoizationPolicy, on each of the several predictions of a turn), and Rasa rebuilds
them from the first event each time: at turn 200 that is a third of the turn. The states of
the past do not change when events are appended, so this keeps, per conversation and per
kind of call, where the last computation stopped (the events it consumed, the replayed
tracker, the states so far) and only processes the new events. When the applied events are
not an extension of the consumed ones (an undo, a restart, a loop's history folded, another
tracker object), it starts again from the first event: Rasa's own result, Rasa's own cost.

`applied_events` (the events minus the undone ones), which Rasa recomputes from the first
event many times per turn, gets the same treatment: it is a left fold over the events
whose only other input is the set of loop names, so new events are folded onto the last
result unless they name a loop not seen before.

The loops below are Rasa 3.6.21's, unchanged, split so they can stop and resume (on a Rasa
upgrade, re-run tests/rasa/test_speedups.py and `make bench`). Results are handed out as
copies: callers edit them (e.g. the featurizer drops the last user text).
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from rasa.shared.core import constants
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

CAPACITY = 1024  # (conversation, kind of call) pairs kept (≈ 300 conversations); LRU


@dataclass
class Progress:
    replay: DialogueStateTracker  # the conversation replayed up to `consumed`
    consumed: list[Event] = field(default_factory=list)
    states: list[State] = field(default_factory=list)  # one per ActionExecuted consumed
    last_ml_action: dict[str, Any] | None = None
    turn_was_hidden: bool = False


def _step(
    domain: Domain,
    progress: Progress,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    ignore_rule_only_turns: bool,
    rule_only_data: dict[str, Any] | None,
    states: list[State],
) -> None:
    """One iteration of Rasa's loop over `generate_all_prior_trackers()`."""
    tr = progress.replay
    if ignore_rule_only_turns:
        if not progress.turn_was_hidden:
            progress.last_ml_action = domain._get_prev_action_sub_state(tr)
        if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
            progress.turn_was_hidden = hide_rule_turn
        if progress.turn_was_hidden:
            return
    state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if states:
            domain._substitute_rule_only_user_input(state, states[-1])
        if progress.last_ml_action:
            state[constants.PREVIOUS_ACTION] = progress.last_ml_action
    states.append(domain._clean_state(state))


def _copy(state: State) -> State:
    return {key: dict(value) if isinstance(value, dict) else value for key, value in state.items()}


def _extends(events: Sequence[Event] | deque[Event], consumed: list[Event]) -> bool:
    """Whether `events` starts with exactly the event objects of `consumed`."""
    return len(consumed) <= len(events) and all(
        a is b for a, b in zip(consumed, events, strict=False)
    )


def _lru(cache: OrderedDict[Any, Any], key: Any, value: Any, capacity: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > capacity:
        cache.popitem(last=False)


@dataclass
class Applied:
    events: list[Event]  # the tracker's events folded so far
    loop_names: set[str]
    applied: list[Event]


def _fold(
    tracker: DialogueStateTracker,
    events: Iterable[Event],
    loop_names: set[str],
    applied: list[Event],
) -> list[Event]:
    """The body of Rasa's `applied_events` loop, over `events`, onto `applied`."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


class AppliedEventsMemo:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.last: OrderedDict[str, Applied] = OrderedDict()
        self.resumed = 0
        self.restarted = 0

    def applied_events(self, tracker: DialogueStateTracker) -> list[Event]:
        events = tracker.events
        known = self.last.get(tracker.sender_id)
        if known is not None and _extends(events, known.events):
            new = list(itertools.islice(events, len(known.events), None))
            names = {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
            if names <= known.loop_names:  # else earlier events may now fold differently
                self.resumed += 1
                known.events.extend(new)
                known.applied = _fold(tracker, new, known.loop_names, known.applied)
                self.last.move_to_end(tracker.sender_id)
                return list(known.applied)
        self.restarted += 1
        loop_names = {e.name for e in events if isinstance(e, ActiveLoop) and e.name}
        applied = _fold(tracker, events, loop_names, [])
        _lru(
            self.last, tracker.sender_id, Applied(list(events), loop_names, applied), self.capacity
        )
        return list(applied)


class StateMemo:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self.progress: OrderedDict[tuple[Any, ...], Progress] = OrderedDict()
        self.resumed = 0  # calls that continued from a previous computation
        self.restarted = 0  # calls that started from the first event

    def states(
        self,
        domain: Domain,
        tracker: DialogueStateTracker,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        key = (
            tracker.sender_id,
            id(domain),
            omit_unset_slots,
            ignore_rule_only_turns,
            repr(rule_only_data) if ignore_rule_only_turns else None,
        )
        applied = tracker.applied_events()
        progress = self.progress.get(key)
        if progress is not None and _extends(applied, progress.consumed):
            self.resumed += 1
        else:
            progress = Progress(tracker.init_copy())
            self.restarted += 1
        _lru(self.progress, key, progress, self.capacity)

        args = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        for event in applied[len(progress.consumed) :]:
            if isinstance(event, ActionExecuted):
                _step(domain, progress, event.hide_rule_turn, *args, progress.states)
            progress.replay.update(event)
            progress.consumed.append(event)

        # Rasa's last yield (the tracker after every event) is not kept: the next call may
        # have more events after it.
        states = [_copy(state) for state in progress.states]
        kept = (progress.last_ml_action, progress.turn_was_hidden)
        _step(domain, progress, False, *args, states)
        progress.last_ml_action, progress.turn_was_hidden = kept
        return states


def install(
    memo: StateMemo | None = None, applied: AppliedEventsMemo | None = None
) -> tuple[StateMemo, AppliedEventsMemo]:
    """Replace Domain.states_for_tracker_history and DialogueStateTracker.applied_events
    with the memos (in this process)."""
    memo = memo or StateMemo()
    applied = applied or AppliedEventsMemo()
    original: Callable[..., list[State]] = Domain.states_for_tracker_history

    def states_for_tracker_history(
        self: Domain,
        tracker: DialogueStateTracker,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        if tracker.is_rule_tracker:  # training data, not a conversation
            return original(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        return memo.states(self, tracker, omit_unset_slots, ignore_rule_only_turns, rule_only_data)

    def applied_events(self: DialogueStateTracker) -> list[Event]:
        return applied.applied_events(self)

    Domain.states_for_tracker_history = states_for_tracker_history  # type: ignore[method-assign]
    DialogueStateTracker.applied_events = applied_events  # type: ignore[method-assign]
    return memo, applied
