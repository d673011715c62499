"""Pick encoder, fusion and outcome thresholds by numbers on the project's own dev set.

Fusion: per leg, a temperature and a "no entry" logit minimising the log-loss of the right
outcome (the entry, or "no entry" for out-of-scope questions), then the dense weight likewise:
temperature scaling, so the fused top probability is a calibrated confidence.
Thresholds: `answer` is the lowest confidence whose answers reach the target precision;
`choose` maximises (top 3 holds the entry) − (it does not).
Every choice is also scored by 5-fold cross-validation, the honest figure to report.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from bot.core.normalise import has_content
from bot.kb.config import TUNING_FILE, get_kb_settings
from bot.kb.fusion import FusionParams, Method, fuse, softmax
from bot.tools.kb.eval import (
    DEV_FILE,
    METHODS,
    SHOPPERS_FILE,
    ScoredSet,
    latency,
    load_dev,
    outcome_metrics,
    ranking_metrics,
    score_items,
    shoppers_items,
    temporary_kb,
    topic_accuracy,
)

log = logging.getLogger(__name__)

T_GRID = (0.01, 0.02, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3, 0.5)
W_GRID = tuple(round(float(w), 2) for w in np.linspace(0.0, 1.0, 11))
TARGET_PRECISION = 0.9
# Hybrid CV MRRs closer than this (≈ two of ~200 dev questions) are a tie, which a clearly
# faster encoder wins; smaller latency gaps are noise on a shared 2-core machine.
MRR_TIE = 0.01
SPEEDUP = 2.0


def _nll(probs: np.ndarray, gold: np.ndarray) -> float:
    """Log-loss of the right outcome: the gold entry, or "no entry" (1 - row sum) out of scope."""
    rows = np.arange(len(gold))
    p_gold = np.where(gold >= 0, probs[rows, np.maximum(gold, 0)], 1.0 - probs.sum(axis=1))
    return float(-np.log(np.clip(p_gold, 1e-9, 1.0)).mean())


def _bias_grid(scores: np.ndarray) -> np.ndarray:
    """Candidate "no entry" logits spanning the observed per-query best scores."""
    best = scores.max(axis=1)
    return np.unique(np.round(np.quantile(best, np.linspace(0.0, 1.0, 21)), 4))


def _fit_leg(scores: np.ndarray, gold: np.ndarray) -> tuple[float, float | None]:
    best: tuple[float, float, float | None] | None = None
    for t in T_GRID:
        for b in (None, *_bias_grid(scores).tolist()):
            loss = _nll(softmax(scores, t, b), gold)
            if best is None or loss < best[0]:
                best = (loss, t, b)
    assert best is not None
    return best[1], best[2]


def fit_fusion(
    dense: np.ndarray, lexical: np.ndarray, gold: np.ndarray, method: Method
) -> FusionParams:
    """Per leg: temperature and "no entry" logit by log-loss; then the hybrid weight likewise."""
    td, bd = _fit_leg(dense, gold) if method != "lexical" else (T_GRID[0], None)
    tl, bl = _fit_leg(lexical, gold) if method != "dense" else (T_GRID[0], None)
    if method != "hybrid":
        return FusionParams(1.0 if method == "dense" else 0.0, td, tl, b_dense=bd, b_lexical=bl)
    best = min(
        W_GRID,
        key=lambda w: _nll(
            fuse(dense, lexical, FusionParams(w, td, tl, b_dense=bd, b_lexical=bl)), gold
        ),
    )
    return FusionParams(best, td, tl, b_dense=bd, b_lexical=bl)


def fit_thresholds(probs: np.ndarray, gold: np.ndarray, params: FusionParams) -> FusionParams:
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == gold
    top3 = (np.argsort(-probs, axis=1)[:, :3] == gold[:, None]).any(axis=1) & (gold >= 0)
    candidates = np.unique(np.round(conf, 4))
    answer_t = 1.01
    for t in candidates:  # ascending: the lowest threshold that still meets the target
        chosen = conf >= t
        if chosen.sum() >= 5 and correct[chosen].mean() >= TARGET_PRECISION:
            answer_t = float(t)
            break
    gain = np.where(top3, 1.0, -1.0)
    best_c, best_gain = answer_t, 0.0
    for c in candidates[candidates < answer_t]:
        band = (conf >= c) & (conf < answer_t)
        total = float(gain[band].sum())
        if total > best_gain:
            best_c, best_gain = float(c), total
    return replace(params, answer_threshold=round(answer_t, 4), choose_threshold=round(best_c, 4))


def _fit(scored: ScoredSet, rows: np.ndarray, method: Method) -> FusionParams:
    d, lx, g = scored.dense[rows], scored.lexical[rows], scored.gold[rows]
    params = fit_fusion(d, lx, g, method)
    return fit_thresholds(fuse(d, lx, params, method), g, params)


def cross_validate(
    scored: ScoredSet, method: Method, folds: int = 5, seed: int = 13
) -> dict[str, Any]:
    """Fit on k-1 folds, measure on the held-out fold; pooled over all folds."""
    order = np.random.default_rng(seed).permutation(len(scored.gold))
    probs = np.zeros_like(scored.dense, dtype=np.float64)
    answer = np.zeros(len(order), dtype=bool)
    choose = np.zeros(len(order), dtype=bool)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        params = _fit(scored, train, method)
        p = fuse(scored.dense[test], scored.lexical[test], params, method)
        probs[test] = p
        conf = p.max(axis=1)
        answer[test] = conf >= params.answer_threshold
        choose[test] = (~answer[test]) & (conf >= params.choose_threshold)
    result: dict[str, Any] = ranking_metrics(probs, scored.gold)
    correct = probs.argmax(axis=1) == scored.gold
    inscope = scored.gold >= 0
    result.update(
        {
            "answer": round(float(answer.mean()), 4),
            "choose": round(float(choose.mean()), 4),
            "none": round(float((~answer & ~choose).mean()), 4),
            "answer_precision": round(float(correct[answer].mean()), 4) if answer.any() else None,
            "out_of_scope_none": round(float((~answer & ~choose)[~inscope].mean()), 4)
            if (~inscope).any()
            else None,
        }
    )
    return result


def tune_encoder(
    name: str, dev_path: Path = DEV_FILE, shoppers_path: Path = SHOPPERS_FILE
) -> dict[str, Any]:
    """Every method for one encoder: fitted params, in-sample and cross-validated metrics."""
    settings = get_kb_settings(encoder=name)
    dev = load_dev(dev_path)
    shoppers = [(t, ok) for t, ok in shoppers_items(shoppers_path) if has_content(t)]
    with temporary_kb(settings) as (kb, state):
        scored = score_items(kb, state, [d.text for d in dev], [d.entry_id for d in dev])
        sh = (
            score_items(kb, state, [t for t, _ in shoppers], [None] * len(shoppers))
            if shoppers
            else None
        )
        out: dict[str, Any] = {"encoder": name, "methods": {}}
        everything = np.arange(len(dev))
        for method in METHODS:
            params = _fit(scored, everything, method)
            probs = fuse(scored.dense, scored.lexical, params, method)
            row: dict[str, Any] = {
                "params": params.__dict__,
                "in_sample": {
                    **ranking_metrics(probs, scored.gold),
                    **outcome_metrics(probs, scored.gold, params),
                },
                "cv5": cross_validate(scored, method),
            }
            if sh is not None:
                row["shoppers_faq_topic_acc"] = topic_accuracy(
                    fuse(sh.dense, sh.lexical, params, method),
                    sh.topics,
                    [ok for _, ok in shoppers],
                )
            out["methods"][method] = row
        kb.params = FusionParams(**out["methods"]["hybrid"]["params"])
        out["latency_hybrid"] = latency(kb, [d.text for d in dev][:100])
        out["shoppers_faq_items"] = len(shoppers)
    return out


def tune(encoders: Sequence[str], write: bool = False, dev_path: Path = DEV_FILE) -> dict[str, Any]:
    """Measure every encoder; choose the best cross-validated hybrid MRR; optionally save it."""
    # One fresh process per encoder: OpenMP runtimes left by one encoder slow down the next.
    with multiprocessing.get_context("spawn").Pool(1, maxtasksperchild=1) as pool:
        results = [pool.apply(tune_encoder, (name, dev_path)) for name in encoders]
    return decide(results, write)


def choose(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Best CV MRR of the hybrid; a clearly (2×) faster encoder within the tie band wins."""

    def mrr(r: dict[str, Any]) -> float:
        return float(r["methods"]["hybrid"]["cv5"]["mrr"])

    def ms(r: dict[str, Any]) -> float:
        return float(r["latency_hybrid"]["median_ms"])

    best = max(results, key=mrr)
    fastest = min((r for r in results if mrr(r) >= mrr(best) - MRR_TIE), key=ms)
    return fastest if ms(fastest) * SPEEDUP <= ms(best) else best


def decide(results: Sequence[dict[str, Any]], write: bool) -> dict[str, Any]:
    best = choose(results)
    chosen = {"encoder": best["encoder"], "method": "hybrid", **best["methods"]["hybrid"]["params"]}
    report = {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dev_file": "data/kb_dev/dev_fr.jsonl",
        "rule": f"best 5-fold CV MRR of the hybrid, unless an encoder within {MRR_TIE} of it is "
        f"{SPEEDUP:g}x faster; "
        "fusion (temperatures, no-entry logits, weight) by min log-loss; "
        f"answer threshold = lowest confidence with answer precision >= {TARGET_PRECISION}; "
        "choose threshold maximises (#top-3 holds the entry) - (#it does not)",
        "chosen": chosen,
        "results": list(results),
    }
    if write:
        TUNING_FILE.write_text(
            json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        log.info("wrote %s", TUNING_FILE)
    return report
