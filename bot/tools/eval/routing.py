"""The scores of predicted routes against labelled ones (the route contract itself, from an NLU
parse to what the assistant does, is bot/core/routes.py). Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from bot.core.routes import (
    DIRECT_ROUTES,
    HANDOFF,
    KB_INTENTS,
    NOT_ROUTES,
    OTHER_PREFIX,
    KBVerdict,
    needs_kb,
    route_of,
)

__all__ = [
    "DIRECT_ROUTES",
    "HANDOFF",
    "KB_INTENTS",
    "NOT_ROUTES",
    "OTHER_PREFIX",
    "Gold",
    "KBVerdict",
    "needs_kb",
    "predict_routes",
    "route_of",
    "score",
]


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
