"""What the shopper's message means for the flow under way, beyond what rules can say.

Rules start a form for each request and act when it is complete. Everything in between used to
be ~30 rules per form ("a FAQ question during the return form", ...), and a message no rule
knew ended in a dead end. This policy decides those turns in one place:

- **A form could not use the message** (Rasa rejected the form: the message filled nothing):
  - thanks, goodbye, "laissez tomber" → the request is left politely, saying what was kept;
  - a person asked for → hand-off;
  - another request ("je veux plutôt annuler") → that request's form;
  - a question (FAQ, a product, delivery times, "vous êtes un robot ?", out of scope, or any
    question that is not the expected answer) → answered, then the form asks its question again;
  - anything else → `action_fallback`, which says what the form needs and asks again.
- **A question about the rule of a request**, with no request under way ("et si ça n'arrive
  pas à temps, je peux annuler ?", "on peut annuler une commande ?", "vous remboursez en
  combien de temps ?") is answered with the shop's rule, for the verified order when there is
  one, instead of starting the request (bot/core/shopper_replies.py).
- **A typed rating** ("5", "4 étoiles", "bof") after the rating question is recorded like a
  pressed star.
- **"Toujours rien"** after the checks for a parcel marked delivered opens the "colis non reçu"
  claim.
- **"Ok merci, je vais patienter"** with no late parcel to wait for is thanked (or said goodbye
  to) rather than acknowledged (bot/core/closings.py).

It outranks the rule policy (priority 7 > 6) and is outranked by the hand-off policy (8).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    BotUttered,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.closings import courtesy
from bot.core.handoff import HANDOFF_ACTION
from bot.core.requests import REQUEST_FORMS
from bot.core.shopper_replies import asks_what_is_possible, is_question
from bot.rasa.policies.deciding import DecidingPolicy

LEAVE = "action_abandon_request"
FALLBACK = "action_fallback"
POSSIBILITY = "action_answer_possibility"
SIDE_ANSWERS = frozenset(
    {
        "action_answer_faq",
        "action_answer_product",
        "action_delivery_times",
        "utter_iamabot",
        "action_out_of_scope",
        "utter_greet_in_form",
    }
)
RATING = "action_record_rating"
LEAVING_INTENTS = frozenset({"stop", "thank", "goodbye"})
# Answered in the middle of a form, which then asks its question again.
ANSWERS = {
    "faq": "action_answer_faq",
    "ask_product": "action_answer_product",
    "delivery_time": "action_delivery_times",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "action_out_of_scope",
    "greet": "utter_greet_in_form",
}
# Questions about the rule of a request: answered by the rule (cancel, return, change) or by
# the knowledge base (refunds), instead of starting the request.
ABOUT_THE_RULE = {
    "cancel_order": "action_answer_possibility",
    "return_item": "action_answer_possibility",
    "change_order": "action_answer_possibility",
    "refund_status": "action_answer_faq",
}
RATING_QUESTION = "utter_ask_rating"
# After the checks for a parcel marked delivered (actions/orders.py), any reply but these opens
# the "colis non reçu" claim.
PARCEL_NOT_FOUND = "parcel_not_found"
NOT_A_CLAIM = frozenset(
    {"thank", "goodbye", "deny", "stop", "human_handoff", "greet", "faq", "bot_challenge"}
)
# "Je vais patienter" is an answer after these (the rules say utter_wait_ok); elsewhere its
# thanks or goodbye are answered.
WAITING_FOR = frozenset({"action_track_order", "action_notify_delay"})
COURTESY_REPLIES = {"thank": "utter_thank", "goodbye": "utter_goodbye"}
# Actions after which nothing else is said this turn when no form is active any more.
OWN_ENDINGS = frozenset({LEAVE, FALLBACK, HANDOFF_ACTION, *SIDE_ANSWERS})


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class TurnPolicy(DecidingPolicy):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"priority": 7}

    def decide(self, tracker: DialogueStateTracker) -> str | None:
        return next_action(tracker)


def _intent(message: UserUttered) -> str | None:
    return (message.intent or {}).get("name")


def _since_message(tracker: DialogueStateTracker) -> tuple[UserUttered | None, List[Any]]:
    """The latest user message and the events after it (action_listen excluded)."""
    after: List[Any] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return event, list(reversed(after))
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            continue
        if isinstance(event, (ActionExecuted, ActionExecutionRejected)):
            after.append(event)
    return None, list(reversed(after))


def _said_before(tracker: DialogueStateTracker, message: UserUttered) -> Dict[str, Any]:
    """Metadata of the bot's last words before this message (which response, which step)."""
    seen = False
    for event in reversed(tracker.events):
        if event is message:
            seen = True
            continue
        if seen and isinstance(event, BotUttered):
            return event.metadata or {}
        if seen and isinstance(event, UserUttered):
            return {}
    return {}


def _acted_before(tracker: DialogueStateTracker, message: UserUttered) -> str | None:
    """The bot's last action before this message (action_listen excluded)."""
    seen = False
    for event in reversed(tracker.events):
        if event is message:
            seen = True
        elif seen and isinstance(event, ActionExecuted):
            if event.action_name != ACTION_LISTEN_NAME:
                return event.action_name
    return None


def next_action(tracker: DialogueStateTracker) -> str | None:
    """The action this policy insists on, or None to let the rules decide."""
    message, after = _since_message(tracker)
    if message is None:
        return None
    intent = _intent(message)
    loop = tracker.active_loop_name
    if not after:  # the message has just arrived
        before = _said_before(tracker, message)
        if intent != "rate" and before.get("utter_action") == RATING_QUESTION:
            return RATING
        if not loop and before.get("step") == PARCEL_NOT_FOUND and intent not in NOT_A_CLAIM:
            return "problem_report_form"  # "toujours rien" after the checks: the claim
        if not loop and intent == "wait" and _acted_before(tracker, message) not in WAITING_FOR:
            reply = COURTESY_REPLIES.get(courtesy(message.text or "") or "")
            if reply:
                return reply
        has_number = any(e.get("entity") == "order_number" for e in message.entities or [])
        if (
            not loop
            and intent in ABOUT_THE_RULE
            and asks_what_is_possible(message.text or "", has_number)
        ):
            return ABOUT_THE_RULE[intent]
        return None
    last = after[-1]
    if _repeating(after):
        return ACTION_LISTEN_NAME  # never the same action twice in a turn: wait for the shopper
    if not loop and isinstance(last, ActionExecuted) and last.action_name in OWN_ENDINGS:
        return ACTION_LISTEN_NAME  # the request was left or answered: the turn is over
    if loop and isinstance(last, ActionExecutionRejected) and last.action_name == loop:
        return _after_rejection(
            loop, intent, message.text or "", tracker.get_slot("requested_slot")
        )
    if (
        loop
        and isinstance(last, ActionExecuted)
        and last.action_name in SIDE_ANSWERS
        and any(isinstance(e, ActionExecutionRejected) for e in after)
    ):
        return loop  # the side question is answered: back to the form's question
    if isinstance(last, ActionExecuted) and last.action_name in (POSSIBILITY, RATING):
        return ACTION_LISTEN_NAME
    if isinstance(last, ActionExecuted) and last.action_name in COURTESY_REPLIES.values():
        return ACTION_LISTEN_NAME  # thanks or goodbye said: nothing more this turn
    if (
        not loop
        and len(after) == 1
        and isinstance(last, ActionExecuted)
        and last.action_name == ABOUT_THE_RULE.get(intent or "")
    ):
        return ACTION_LISTEN_NAME  # the rule was said: nothing more to do this turn
    return None


def _repeating(after: List[Any]) -> bool:
    """The same action ran twice in this turn (forms excepted: they run again after a side
    question): Rasa would go on predicting it until its limit of ten."""
    names = [e.action_name or "" for e in after if isinstance(e, ActionExecuted)]
    return len(names) >= 2 and names[-1] == names[-2] and not names[-1].endswith("_form")


def _after_rejection(loop: str, intent: str | None, text: str, requested: str | None) -> str:
    if intent in LEAVING_INTENTS:
        return LEAVE
    if intent == "human_handoff":
        return HANDOFF_ACTION
    if intent in ANSWERS:
        return ANSWERS[intent]
    if is_question(text):  # "et je serai remboursé quand ?" at a yes/no: answered first
        return "action_answer_faq"
    if requested == "confirmed":  # neither yes nor no to the summary: asked again, plainly
        return FALLBACK
    other_form = REQUEST_FORMS.get(intent or "")
    if other_form and other_form != loop:
        return other_form
    return FALLBACK
