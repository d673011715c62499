"""`make unanswered-eval` (`python -m bot.backoffice.unanswered eval`): how well the grouping
of unanswered questions matches the groups an editor would make, on
bot/tools/eval/unanswered_fr.yml, for the chosen method and its alternatives (linkages,
thresholds, HDBSCAN), so that the method in bot/backoffice/unanswered/cluster.py is picked by
measurement.

Definitions (README, "Unanswered questions"):
- purity: of the messages put in a predicted group of 2 or more, the share whose true group
  is their predicted group's majority label (each singleton of the set is its own label);
- coverage: of the messages that have a true group (at least one other message means the
  same), the share put in a predicted group of 2 or more;
- singletons kept: of the set's singletons, the share left alone;
- ARI: scikit-learn's adjusted Rand index over all messages;
- F: the harmonic mean of purity and coverage, the criterion the method was chosen by (a mixed
  group makes a wrong entry, a message left out is a phrasing lost: both count).
Prints a table, then the JSON summary as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.backoffice.unanswered import cluster
from bot.settings import ROOT

DATASET = ROOT / "bot" / "tools" / "eval" / "unanswered_fr.yml"
THRESHOLDS = (0.06, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.14, 0.16, 0.20)
LINKAGES: tuple[cluster.Linkage, ...] = ("average", "complete", "single")


def load(path: Path = DATASET) -> tuple[list[str], list[str]]:
    """(texts, true labels); each singleton gets a label of its own."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts, labels = [], []
    for label, items in (data.get("groups") or {}).items():
        texts += [str(t) for t in items]
        labels += [str(label)] * len(items)
    for number, text in enumerate(data.get("singletons") or []):
        texts.append(str(text))
        labels.append(f"singleton-{number}")
    return texts, labels


def scores(truth: list[str], predicted: np.ndarray) -> dict[str, float]:
    """Purity, coverage, singletons kept, ARI and group counts (see the module's docstring)."""
    from sklearn.metrics import adjusted_rand_score

    sizes = Counter(predicted.tolist())
    true_sizes = Counter(truth)
    grouped = [i for i, p in enumerate(predicted.tolist()) if sizes[p] >= 2]
    majority = {
        p: Counter(truth[i] for i in grouped if predicted[i] == p).most_common(1)[0][0]
        for p in {predicted[i] for i in grouped}
    }
    pure = sum(1 for i in grouped if truth[i] == majority[predicted[i]])
    belong = [i for i, t in enumerate(truth) if true_sizes[t] >= 2]
    alone = [i for i, t in enumerate(truth) if true_sizes[t] == 1]
    purity = pure / len(grouped) if grouped else 1.0
    coverage = sum(1 for i in belong if sizes[predicted[i]] >= 2) / len(belong)
    return {
        "purity": round(purity, 3),
        "coverage": round(coverage, 3),
        "f": round(2 * purity * coverage / (purity + coverage), 3) if purity + coverage else 0.0,
        "singletons_kept": round(sum(1 for i in alone if sizes[predicted[i]] == 1) / len(alone), 3)
        if alone
        else 1.0,
        "ari": round(float(adjusted_rand_score(truth, predicted)), 3),
        "groups": sum(1 for s in sizes.values() if s >= 2),
        "true_groups": sum(1 for s in true_sizes.values() if s >= 2),
    }


def _hdbscan(vectors: np.ndarray) -> np.ndarray:
    """HDBSCAN (no number of groups either): noise points become singletons."""
    from sklearn.cluster import HDBSCAN

    raw = HDBSCAN(min_cluster_size=2, metric="cosine", copy=True).fit_predict(vectors)
    top = int(raw.max()) + 1
    return np.array([r if r >= 0 else top + i for i, r in enumerate(raw)])


def evaluate(path: Path = DATASET) -> dict[str, Any]:
    from bot.kb import KnowledgeBase

    texts, truth = load(path)
    vectors = cluster.embed(KnowledgeBase(), texts)
    rows: list[dict[str, Any]] = []
    for method in LINKAGES:
        for threshold in THRESHOLDS:
            labels = cluster.cluster_labels(vectors, threshold, method)
            chosen = method == cluster.LINKAGE and abs(threshold - cluster.THRESHOLD) < 1e-9
            rows.append(
                {
                    "method": method,
                    "threshold": threshold,
                    "chosen": chosen,
                    **scores(truth, labels),
                }
            )
    rows.append(
        {
            "method": "hdbscan",
            "threshold": None,
            "chosen": False,
            **scores(truth, _hdbscan(vectors)),
        }
    )
    best = max(rows, key=lambda row: row["f"])
    return {
        "dataset": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "messages": len(texts),
        "best_by_f": {k: best[k] for k in ("method", "threshold", "purity", "coverage", "f")},
        "rows": rows,
    }


def table(result: dict[str, Any]) -> str:
    head = "method    thresh  purity  coverage  F      singl.  ARI    groups (true)"
    lines = [f"{result['messages']} messages, {result['dataset']}", head]
    best = result["best_by_f"]
    for row in result["rows"]:
        threshold = "  -  " if row["threshold"] is None else f"{row['threshold']:.2f}"
        lines.append(
            f"{row['method']:<9} {threshold:>6}  {row['purity']:.3f}   {row['coverage']:.3f}"
            f"     {row['f']:.3f}  {row['singletons_kept']:.3f}   {row['ari']:.3f}"
            f"  {row['groups']:>3} "
            f"({row['true_groups']}){'  <- chosen' if row['chosen'] else ''}"
        )
    lines.append(f"best by F: {best['method']} at {best['threshold']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.backoffice.unanswered")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("eval", help="purity and coverage of the grouping, by method")
    run.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = evaluate(args.dataset.resolve())
    print(table(result), file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 0
