"""From an NLU parse (and, where the dialogue would ask it, the knowledge base) to a route, and
the scores of predicted routes against labelled ones. Pure functions, no I/O.

A message's route is what the assistant does with it as the first message of a new
conversation (domain.yml, data/rules/):

- track_order, delivery_time, cancel_order, return_item, refund_status, problem_report,
  change_order, greet, goodbye, thank, affirm, deny → the intent itself (one rule or form each);
- human_handoff → `handoff` (action_human_handoff);
- any message the mood annotator finds upset → `handoff`, whatever the intent (the hand-off
  policy outranks the rules: bot/rasa/policies/handoff.py);
- faq → the knowledge base: outcome answer or choose → `faq:<topic of the top hit>`, none →
  `handoff` (action_answer_faq offers a human when it has nothing);
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

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

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


def is_route(label: str) -> bool:
    return not label.startswith(OTHER_PREFIX)


@dataclass(frozen=True)
class Gold:
    route: str
    alt: str | None = None

    def accepts(self, predicted: str) -> bool:
        return predicted == self.route or (self.alt is not None and predicted == self.alt)


def score(golds: Sequence[Gold], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, per-route precision/recall/support and confusion counts.

    A prediction is correct when it equals `route` or `alt`. Per route r:
    support = items whose `route` is r; recall = share of those predicted correctly (r or their
    alt); precision = share of the items predicted r for which r was acceptable (route or alt).
    Confusion counts `gold → predicted`, where gold is the label the prediction matched when it
    was correct, else `route`.
    """
    if len(golds) != len(predicted):
        raise ValueError("golds and predictions differ in length")
    n = len(golds)
    correct = [g.accepts(p) for g, p in zip(golds, predicted, strict=True)]
    support = Counter(g.route for g in golds)
    recalled = Counter(g.route for g, ok in zip(golds, correct, strict=True) if ok)
    predicted_n = Counter(predicted)
    precise = Counter(p for p, ok in zip(predicted, correct, strict=True) if ok)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    for g, p, ok in zip(golds, predicted, correct, strict=True):
        confusion[p if ok else g.route][p] += 1
    labels = sorted({*support, *(p for p in predicted_n if is_route(p))})
    per_route = {
        r: {
            "precision": round(precise[r] / predicted_n[r], 4) if predicted_n[r] else None,
            "recall": round(recalled[r] / support[r], 4) if support[r] else None,
            "support": support[r],
        }
        for r in labels
    }
    errors = Counter({(g, p): c for g, row in confusion.items() for p, c in row.items() if g != p})
    return {
        "n": n,
        "accuracy": round(sum(correct) / n, 4) if n else 0.0,
        "per_route": per_route,
        "confusion": {g: dict(sorted(row.items())) for g, row in sorted(confusion.items())},
        "top_confusions": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in errors.most_common(15)
        ],
    }


def predict_routes(
    texts: Sequence[str],
    parse: Callable[[str], Mapping[str, Any]],
    kb_search: Callable[[str], KBVerdict],
) -> list[dict[str, Any]]:
    """Route every text: `parse` returns Rasa's /model/parse JSON, `kb_search` a KB verdict."""
    rows = []
    for text in texts:
        parsed = parse(text)
        intent = (parsed.get("intent") or {}).get("name")
        entities = parsed.get("entities") or []
        upset = (parsed.get("mood") or {}).get("label") == "upset"
        verdict = kb_search(text) if needs_kb(intent, entities, upset) else None
        rows.append(
            {
                "intent": intent,
                "kb": verdict[0] if verdict else None,
                "upset": upset,
                "route": route_of(intent, entities, verdict, upset),
            }
        )
    return rows
