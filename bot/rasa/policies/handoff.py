"""Hand-off is a state of the conversation, not a message: this policy enforces that state.

While an agent owns the conversation (slot `handoff_active`), every shopper message is relayed
to the agent's inbox and the bot says nothing of its own, whatever the NLU thought. Messages
sent by the back office through `trigger_intent` (an agent's reply, the case resolved or handed
back) run their action whatever the state. An upset shopper is handed to a person, with an
apology (actions/handoff.py); a problem report needs an angry cue, not only negative words.

It outranks the rule policy and the turn policy (priority 8 > 7 > 6) so that no rule or form
can speak over an agent.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.handoff import ACTIVE_SLOT, BACK_OFFICE_INTENTS, HANDOFF_ACTION, RELAY_ACTION
from bot.core.mood import PARSE_KEY, UPSET
from bot.rasa.policies.deciding import DecidingPolicy

# What the policy itself predicted: after any of these, the bot listens again.
OWN_ACTIONS = {RELAY_ACTION, HANDOFF_ACTION, *BACK_OFFICE_INTENTS.values()}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class HandoffPolicy(DecidingPolicy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": 8}

    def decide(self, tracker: DialogueStateTracker) -> str | None:
        return next_action(tracker)


def next_action(tracker: DialogueStateTracker) -> str | None:
    """The action this policy insists on, or None to let the other policies decide."""
    last = _last_action_or_message(tracker)
    if isinstance(last, ActionExecuted):
        # After one of our actions the bot waits for the next message; otherwise, e.g. while
        # a form ends after the hand-off began, the other policies carry on.
        return ACTION_LISTEN_NAME if last.action_name in OWN_ACTIONS else None
    if not isinstance(last, UserUttered):
        return None
    intent = (last.intent or {}).get("name")
    if intent in BACK_OFFICE_INTENTS:
        return BACK_OFFICE_INTENTS[intent]
    if tracker.get_slot(ACTIVE_SLOT):
        return RELAY_ACTION
    if upset(last.parse_data or {}):
        return HANDOFF_ACTION
    return None


def upset(parse_data: Mapping[str, Any]) -> bool:
    """Upset, as the mood annotator says; but describing a damaged parcel is negative by
    nature ("complètement cassé, le carton écrasé"): a problem report needs an angry cue
    (insult, threat, shouting) to count."""
    mood = parse_data.get(PARSE_KEY) or {}
    if mood.get("label") != UPSET:
        return False
    intent = (parse_data.get("intent") or {}).get("name")
    return intent != "problem_report" or bool(mood.get("cues"))


def _last_action_or_message(tracker: DialogueStateTracker) -> Any:
    """The latest user message, or the latest action if one ran after it (action_listen
    excluded: it only means the bot was waiting)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return event
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return event
    return None
