"""Which intent model generalises best, measured two ways on the project's own data:

    python -m bot.tools.nlu.compare [--folds 5] [--dev data/nlu_dev/routes_dev.jsonl] [--only NAME]

- cross-validation on data/nlu (how well it learns our examples);
- the dev set of realistic messages written for this purpose, never trained on (how well it
  meets shoppers' own words): a message counts as right when its intent leads to its route
  (faq:* → faq, handoff → human_handoff, the others by name).
Never run on ../shared/eval: that set is held out for `make eval`. Prints one JSON line per
candidate, then a summary line; the README's table comes from it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from bot.nlu.embedding import SentenceEmbedder
from bot.nlu.intent_model import IntentModel
from bot.tools.nlu.crossval import ROOT, load_examples

DEV_FILE = ROOT / "data" / "nlu_dev" / "routes_dev.jsonl"
Ranker = Callable[[str], list[tuple[str, float]]]
Factory = Callable[[list[tuple[str, str]]], Ranker]


def route_intents(route: str) -> str:
    if route.startswith("faq:"):
        return "faq"
    return {"handoff": "human_handoff"}.get(route, route)


def load_dev(path: Path) -> list[tuple[str, set[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            accepted = {route_intents(row["route"])}
            if row.get("alt"):
                accepted.add(route_intents(row["alt"]))
            rows.append((row["text"], accepted))
    return rows


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    weights = np.exp(temperature * (scores - scores.max()))
    return weights / weights.sum()


class EmbeddingLogistic:
    """Logistic regression on the sentence embedding alone."""

    def __init__(self, embed: SentenceEmbedder, examples: list[tuple[str, str]]) -> None:
        texts, intents = zip(*examples, strict=True)
        self.embed = embed
        self.model = LogisticRegression(C=20.0, max_iter=2000).fit(embed(list(texts)), intents)

    def __call__(self, text: str) -> list[tuple[str, float]]:
        probabilities = self.model.predict_proba(self.embed([text]))[0]
        order = np.argsort(-probabilities)
        return [(str(self.model.classes_[i]), float(probabilities[i])) for i in order]


class EmbeddingNeighbours:
    """The k most similar examples vote, weighted by similarity."""

    def __init__(
        self, embed: SentenceEmbedder, examples: list[tuple[str, str]], k: int = 7
    ) -> None:
        texts, intents = zip(*examples, strict=True)
        self.embed, self.k = embed, k
        self.vectors = embed(list(texts))
        self.intents = np.array(intents, dtype=object)

    def __call__(self, text: str) -> list[tuple[str, float]]:
        similarity = self.vectors @ self.embed([text])[0]
        nearest = np.argsort(-similarity)[: self.k]
        votes: dict[str, float] = {}
        for index in nearest:
            votes[self.intents[index]] = votes.get(self.intents[index], 0.0) + float(
                np.exp(10 * similarity[index])
            )
        total = sum(votes.values())
        return sorted(((k, v / total) for k, v in votes.items()), key=lambda kv: -kv[1])


def averaged(first: Ranker, second: Ranker) -> Ranker:
    def rank(text: str) -> list[tuple[str, float]]:
        scores: dict[str, float] = {}
        for ranker in (first, second):
            for intent, confidence in ranker(text):
                scores[intent] = scores.get(intent, 0.0) + confidence / 2
        return sorted(scores.items(), key=lambda kv: -kv[1])

    return rank


def candidates(embed: SentenceEmbedder) -> dict[str, Factory]:
    def tfidf(examples: list[tuple[str, str]]) -> Ranker:
        return IntentModel().fit(examples).rank

    def joined(weight: float) -> Factory:
        return lambda examples: IntentModel(embed=embed, dense_weight=weight).fit(examples).rank

    return {
        "tfidf-svm": tfidf,
        "tfidf+e5-svm w=1": joined(1.0),
        "tfidf+e5-svm w=2": joined(2.0),
        "tfidf+e5-svm w=3": joined(3.0),
        "e5-logreg": lambda examples: EmbeddingLogistic(embed, examples),
        "e5-knn": lambda examples: EmbeddingNeighbours(embed, examples),
        "tfidf-svm + e5-logreg (mean)": lambda examples: averaged(
            tfidf(examples), EmbeddingLogistic(embed, examples)
        ),
    }


def evaluate(
    factory: Factory,
    examples: list[tuple[str, str]],
    dev: Sequence[tuple[str, set[str]]],
    folds: int,
) -> dict[str, float | None]:
    texts = np.array([t for t, _ in examples], dtype=object)
    intents = np.array([i for _, i in examples], dtype=object)
    correct = 0
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=0).split(texts, intents):
        rank = factory(list(zip(texts[train], intents[train], strict=True)))
        correct += sum(rank(t)[0][0] == i for t, i in zip(texts[test], intents[test], strict=True))
    started = time.perf_counter()
    rank = factory(examples)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    dev_correct = sum(rank(text)[0][0] in accepted for text, accepted in dev)
    per_message_ms = (time.perf_counter() - started) * 1000 / max(len(dev), 1)
    return {
        "cv_accuracy": round(correct / len(examples), 4),
        "dev_accuracy": round(dev_correct / len(dev), 4) if dev else None,
        "fit_seconds": round(fit_s, 1),
        "ms_per_message": round(per_message_ms, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--dev", type=Path, default=DEV_FILE)
    parser.add_argument("--only", action="append", default=None, help="candidate name(s)")
    args = parser.parse_args()
    examples = load_examples()
    dev = load_dev(args.dev) if args.dev.is_file() else []
    embed = SentenceEmbedder()
    embed([t for t, _ in examples] + [t for t, _ in dev])  # once, for every candidate
    results = {}
    for name, factory in candidates(embed).items():
        if args.only and name not in args.only:
            continue
        results[name] = evaluate(factory, examples, dev, args.folds)
        print(json.dumps({"candidate": name, **results[name]}), flush=True)
    print(
        json.dumps(
            {
                "examples": len(examples),
                "dev_messages": len(dev),
                "dev_file": str(args.dev),
                "candidates": results,
            }
        )
    )


if __name__ == "__main__":
    main()
