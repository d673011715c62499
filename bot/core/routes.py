"""What the assistant does with a message, from its NLU parse (and, where the dialogue would ask
it, the knowledge base's verdict): the route contract shared by the evaluation
(bot/tools/eval/routing.py scores it) and the FAQ editor's "Tester une question" (which shows an
editor what the live bot will do). Pure functions, standard library only.

A message's route is what the assistant does with it as the first message of a new
conversation (domain.yml, data/rules/):

- track_order, delivery_time, cancel_order, return_item, refund_status, problem_report,
  change_order, greet, goodbye, thank, affirm, deny → the intent itself (one rule or form each);
- human_handoff → `handoff` (action_human_handoff);
- any message the mood annotator finds upset → `handoff`, whatever the intent (the hand-off
  policy outranks the rules: bot/rasa/policies/handoff.py);
- faq → the knowledge base: outcome answer or choose → `faq:<topic of the top hit>`, none →
  `handoff` (action_answer_faq offers a human when it has nothing);
- ask_product → `faq:product`: the catalogue answers (actions/products.py; the route contract
  counts product questions as `faq:product`). Its fallback to the knowledge base for a
  product the shop does not sell is not modelled here; the end-to-end mode sees it;
- nlu_fallback → same as faq (action_fallback asks the knowledge base, else utter_default,
  whose menu offers a person);
- inform with an order number → `track_order` (a bare order number opens a conversation to look
  that order up; "Suivre ma commande" is the fallback menu's first choice);
- inform without one → same as nlu_fallback (rule "information given with nothing pending");
- wait, stop, bot_challenge, out_of_scope → `other:<intent>`: no capability of the route
  contract (the bot acknowledges, abandons, says it is a bot, or declines), so never correct.
  `wait` is deliberately not mapped to `affirm`: it only makes sense in the middle of a
  late-parcel conversation, and as a first message the bot does not treat it as a yes.
- any intent this table does not know (e.g. one added later, like a feedback button's) →
  `other:<intent>` until it is given a route here; no intent at all → the knowledge base.

`other:*` predictions always count as wrong; they appear in the confusion counts, not in the
per-route table.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

DIRECT_ROUTES: frozenset[str] = frozenset(
    {
        "track_order",
        "delivery_time",
        "cancel_order",
        "return_item",
        "refund_status",
        "problem_report",
        "change_order",
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
    }
)
KB_INTENTS: frozenset[str] = frozenset({"faq", "nlu_fallback"})
NOT_ROUTES: frozenset[str] = frozenset({"wait", "stop", "bot_challenge", "out_of_scope"})
HANDOFF = "handoff"
PRODUCT_INTENT = "ask_product"
PRODUCT_ROUTE = "faq:product"
OTHER_PREFIX = "other:"

# (outcome, topic of the top hit) of a knowledge-base search; outcome is answer|choose|none
KBVerdict = tuple[str, "str | None"]


def needs_kb(
    intent: str | None, entities: Iterable[Mapping[str, Any]] = (), upset: bool = False
) -> bool:
    """True when the dialogue would search the knowledge base for this first message."""
    if upset:
        return False
    if intent in KB_INTENTS:
        return True
    if intent == "inform":
        return not any(e.get("entity") == "order_number" for e in entities)
    return intent is None


def route_of(
    intent: str | None,
    entities: Iterable[Mapping[str, Any]] = (),
    kb_verdict: KBVerdict | None = None,
    upset: bool = False,
) -> str:
    """The route the assistant takes for a first message parsed as `intent` with `entities`;
    `kb_verdict` is needed only when `needs_kb` is true."""
    entities = list(entities)
    if upset:
        return HANDOFF
    if intent in DIRECT_ROUTES:
        return str(intent)
    if intent == "human_handoff":
        return HANDOFF
    if intent == PRODUCT_INTENT:
        return PRODUCT_ROUTE
    if intent is not None and intent not in KB_INTENTS and intent != "inform":
        return OTHER_PREFIX + str(intent)  # wait, stop, bot_challenge, out_of_scope, or new
    if intent == "inform" and any(e.get("entity") == "order_number" for e in entities):
        return "track_order"
    # faq, nlu_fallback, inform without an order number, or no intent: the knowledge base.
    if kb_verdict is None:
        raise ValueError(f"intent {intent!r} needs the knowledge base's verdict")
    outcome, topic = kb_verdict
    if outcome in ("answer", "choose") and topic:
        return f"faq:{topic}"
    return HANDOFF
