"""Fusion of the dense and lexical legs into one calibrated confidence, and the outcome rule.

Each leg's scores become a probability over entries plus a "no entry" outcome: a temperature
softmax over the scores and one constant logit (the leg's bias), so that a question far from
everything keeps most of its mass on "no entry" instead of crowning the least bad entry. The
fused distribution is the legs' weighted mean. Temperatures, biases and weight are fitted on
the dev set (questions and out-of-scope questions) by minimising log-loss (temperature scaling),
so the top probability is a calibrated confidence; two thresholds split it into
answer / choose / none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from .types import Outcome

Method = Literal["dense", "lexical", "hybrid"]


@dataclass(frozen=True)
class FusionParams:
    w_dense: float = 0.5
    t_dense: float = 0.05
    t_lexical: float = 0.2
    answer_threshold: float = 0.6
    choose_threshold: float = 0.2
    b_dense: float | None = None  # logit of "no entry" in the dense leg (None: no such outcome)
    b_lexical: float | None = None


def softmax(scores: np.ndarray, temperature: float, null_logit: float | None = None) -> np.ndarray:
    """Row-wise softmax of scores / temperature; with `null_logit`, an extra "no entry" outcome
    takes part in the normalisation and is dropped, so rows sum to P(some entry) <= 1."""
    z = np.asarray(scores, dtype=np.float64)
    if null_logit is not None:
        z = np.concatenate([z, np.full((*z.shape[:-1], 1), null_logit)], axis=-1)
    z = z / max(temperature, 1e-6)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=-1, keepdims=True)
    return p[..., :-1] if null_logit is not None else p


def fuse(
    dense: np.ndarray, lexical: np.ndarray, params: FusionParams, method: Method = "hybrid"
) -> np.ndarray:
    """(n_queries, n_entries) probabilities for the chosen method."""
    if method == "dense":
        return softmax(dense, params.t_dense, params.b_dense)
    if method == "lexical":
        return softmax(lexical, params.t_lexical, params.b_lexical)
    w = params.w_dense
    return w * softmax(dense, params.t_dense, params.b_dense) + (1.0 - w) * softmax(
        lexical, params.t_lexical, params.b_lexical
    )


def decide(confidence: float, params: FusionParams) -> Outcome:
    """answer when sure, choose (top 3 as buttons) when plausible, none (offer a human) else."""
    if confidence >= params.answer_threshold:
        return "answer"
    if confidence >= params.choose_threshold:
        return "choose"
    return "none"


def dense_entry_scores(
    scores: np.ndarray, vector_ids: np.ndarray, vector_entry: np.ndarray, n_entries: int
) -> np.ndarray:
    """Per-entry dense score = best phrasing cosine among the retrieved vectors.

    Entries with no retrieved phrasing get the query's lowest retrieved score: unseen is at
    best as good as the worst candidate, which keeps the softmax honest.
    """
    n_queries = scores.shape[0]
    out = np.empty((n_queries, n_entries), dtype=np.float32)
    for row in range(n_queries):
        valid = vector_ids[row] >= 0
        found = scores[row][valid]
        floor = float(found.min()) if found.size else 0.0
        out[row].fill(floor)
        entries = vector_entry[vector_ids[row][valid]]
        np.maximum.at(out[row], entries, found)
    return out
