"""Speed-ups of Rasa 3.6.21's own code, installed by the Rasa server's launcher
(`python -m bot.rasa`, bot/rasa/__main__.py) before Rasa starts. Same results, same errors;
re-check on any Rasa upgrade (tests/rasa/test_speedups.py, `make bench`).

Rasa 3.6 checks every action-server response with `jsonschema.validate(result, schema)`, which
first re-validates Rasa's own constant schema against the draft 2020-12 meta-schema: about
100 ms of CPU per custom-action call on 2 cores, for nothing (the schema never changes).
This builds the validator once and validates each response with it (same schema, same
ValidationError, same message): about 1 ms.

Rasa 3.6 also rebuilds the tracker from the tracker store on every turn, and finds each event's
class by walking all subclasses of Event (with inspect.isabstract) for every event: at turn 200
(about 1,100 events) that is about a third of the turn. `events` caches the name -> class
lookup (same classes, same errors for unknown names).

Every policy also rebuilds the states of the whole conversation on every prediction;
`states` makes that resumable (state_memo.py, beside this file). And RulePolicy formats all
those states as text for a debug message on every prediction, debug logging on or not;
`rulelog` formats them only when the `rasa` logger is at DEBUG (`rasa run --debug`).

COMPTOIR_RASA_SPEEDUPS chooses which (default "validate,events,states,rulelog"; "none" for
Rasa as shipped).
Measured by `python -m bot.tools.bench` (README, "How fast is it?")."""

from __future__ import annotations

import os


def patch_action_validation() -> None:
    from jsonschema import ValidationError, validators
    from rasa.core.actions import action

    schema = action.RemoteAction.action_response_format_spec()
    validator = validators.validator_for(schema)(schema)
    validators.validator_for(schema).check_schema(schema)  # once, as validate() would

    def _validate_action_result(self, result):
        try:
            validator.validate(result)
            return True
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about the "
                f"format visit {action.DOCS_BASE_URL}/custom-actions"
            )
            raise e

    action.RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def patch_event_lookup() -> None:
    from rasa.shared.core import events

    original = events.Event.resolve_by_type
    found: dict[str, type] = {}

    def resolve_by_type(type_name, default=None):
        cls = found.get(type_name)
        if cls is not None:
            return cls
        cls = original(type_name, default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    events.Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


def patch_rule_debug_text() -> None:
    import logging

    from rasa.core.policies.policy import Policy

    original = Policy.format_tracker_states
    rasa_logger = logging.getLogger("rasa")

    def format_tracker_states(states):
        return original(states) if rasa_logger.isEnabledFor(logging.DEBUG) else ""

    Policy.format_tracker_states = staticmethod(format_tracker_states)  # type: ignore[method-assign]


def install() -> list[str]:
    """Apply the speed-ups COMPTOIR_RASA_SPEEDUPS names; returns them."""
    chosen = [
        name.strip()
        for name in os.environ.get(
            "COMPTOIR_RASA_SPEEDUPS", "validate,events,states,rulelog"
        ).split(",")
        if name.strip() and name.strip() != "none"
    ]
    if "validate" in chosen:
        patch_action_validation()
    if "events" in chosen:
        patch_event_lookup()
    if "states" in chosen:
        from bot.rasa.speedups import state_memo

        state_memo.install()
    if "rulelog" in chosen:
        patch_rule_debug_text()
    return chosen
