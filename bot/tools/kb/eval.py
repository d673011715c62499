"""Retrieval evaluation: hit@1, hit@3, MRR per method, outcomes, latency, held-out topic accuracy.

Everything is computed from per-entry score matrices produced once per query set, so several
methods, encoders and fusion settings can be compared on exactly the same numbers. The held-out
shopper file is only *counted* here (top-1 topic accuracy on its `faq:*` items); nothing reads
which items fail.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from bot.core.normalise import has_content
from bot.kb.config import REPO_ROOT, KBSettings, get_kb_settings
from bot.kb.fusion import FusionParams, Method, fuse
from bot.kb.service import KnowledgeBase, LoadedVersion

DEV_FILE = REPO_ROOT / "data" / "kb_dev" / "dev_fr.jsonl"
SHOPPERS_FILE = REPO_ROOT.parent / "shared" / "eval" / "shoppers_fr.jsonl"
METHODS: tuple[Method, ...] = ("dense", "lexical", "hybrid")


@dataclass(frozen=True)
class DevItem:
    text: str
    entry_id: str | None
    topic: str | None


def load_dev(path: Path = DEV_FILE) -> list[DevItem]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(DevItem(row["text"], row.get("id"), row.get("topic")))
    return items


@dataclass
class ScoredSet:
    """Score matrices of one query set against one loaded version."""

    dense: np.ndarray
    lexical: np.ndarray
    gold: np.ndarray  # entry position, -1 for out-of-scope
    topics: list[str]  # topic of each entry position


def score_items(
    kb: KnowledgeBase, state: LoadedVersion, texts: Sequence[str], gold_ids: Sequence[str | None]
) -> ScoredSet:
    position = {e.id: i for i, e in enumerate(state.entries)}
    missing = [g for g in gold_ids if g is not None and g not in position]
    if missing:
        raise ValueError(f"dev set names unknown entries: {sorted(set(missing))[:5]}")
    dense, lexical = kb.score(state, list(texts))
    gold = np.array([position[g] if g is not None else -1 for g in gold_ids], dtype=np.int64)
    return ScoredSet(dense, lexical, gold, [e.topic for e in state.entries])


def ranking_metrics(probs: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    """hit@1, hit@3 and MRR over in-scope rows (gold >= 0)."""
    rows = np.where(gold >= 0)[0]
    if not len(rows):
        return {"n": 0, "hit@1": 0.0, "hit@3": 0.0, "mrr": 0.0}
    p = probs[rows]
    gold_scores = p[np.arange(len(rows)), gold[rows]]
    ranks = 1 + (p > gold_scores[:, None]).sum(axis=1)
    return {
        "n": int(len(rows)),
        "hit@1": round(float((ranks == 1).mean()), 4),
        "hit@3": round(float((ranks <= 3).mean()), 4),
        "mrr": round(float((1.0 / ranks).mean()), 4),
    }


def outcome_metrics(probs: np.ndarray, gold: np.ndarray, params: FusionParams) -> dict[str, Any]:
    """Share answered / chose / none, precision of answers, and how often top 3 held the entry."""
    conf = probs.max(axis=1)
    top1 = probs.argmax(axis=1)
    top3 = np.argsort(-probs, axis=1)[:, :3]
    answer = conf >= params.answer_threshold
    choose = (~answer) & (conf >= params.choose_threshold)
    none = ~(answer | choose)
    inscope = gold >= 0
    correct = top1 == gold
    in_top3 = (top3 == gold[:, None]).any(axis=1) & inscope

    def frac(mask: np.ndarray, within: np.ndarray) -> float:
        return round(float(mask[within].mean()), 4) if within.any() else 0.0

    answered = int(answer.sum())
    return {
        "answer": frac(answer, np.ones_like(answer)),
        "choose": frac(choose, np.ones_like(choose)),
        "none": frac(none, np.ones_like(none)),
        "answer_precision": round(float(correct[answer].mean()), 4) if answered else None,
        "answered_n": answered,
        "in_scope": {
            "answer": frac(answer, inscope),
            "choose": frac(choose, inscope),
            "none": frac(none, inscope),
        },
        "choose_top3_holds_entry": frac(in_top3, choose & inscope),
        "out_of_scope_none": frac(none, ~inscope),
        "out_of_scope_answered": frac(answer, ~inscope),
    }


def shoppers_items(path: Path = SHOPPERS_FILE) -> list[tuple[str, set[str]]]:
    """(text, acceptable topics) for held-out items routed to the knowledge base."""
    items: list[tuple[str, set[str]]] = []
    if not path.is_file():
        return items
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if str(row.get("route", "")).startswith("faq:"):
            ok = {
                r.split(":", 1)[1]
                for r in (row.get("route"), row.get("alt"))
                if r and r.startswith("faq:")
            }
            items.append((row["text"], ok))
    return items


def topic_accuracy(probs: np.ndarray, topics: list[str], accepted: list[set[str]]) -> float:
    top1 = probs.argmax(axis=1)
    hits = [topics[int(t)] in ok for t, ok in zip(top1, accepted, strict=True)]
    return round(float(np.mean(hits)), 4) if hits else 0.0


def latency(kb: KnowledgeBase, texts: Sequence[str], repeat: int = 1) -> dict[str, float]:
    """Median and p95 of one full search (normalise, embed, FAISS, lexical, fusion) in ms."""
    timings = []
    kb.search(texts[0])
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            kb.search(text)
            timings.append((time.perf_counter() - started) * 1e3)
    timings.sort()
    return {
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 2),
        "n": len(timings),
    }


@contextmanager
def temporary_kb(
    settings: KBSettings, faq_dir: Path | None = None
) -> Iterator[tuple[KnowledgeBase, LoadedVersion]]:
    """Build the FAQ folder into a throw-away kb_index with the settings' encoder."""
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as folder:
        kb = KnowledgeBase(folder, settings=settings)
        kb.build(faq_dir)
        state = kb.state()
        assert state is not None
        yield kb, state


def evaluate(
    settings: KBSettings | None = None,
    dev_path: Path = DEV_FILE,
    shoppers_path: Path = SHOPPERS_FILE,
    params: FusionParams | None = None,
    with_latency: bool = True,
) -> dict[str, Any]:
    """The whole report for one encoder and one set of fusion parameters."""
    settings = settings or get_kb_settings()
    dev = load_dev(dev_path)
    with temporary_kb(settings) as (kb, state):
        if params is not None:
            kb.params = params
        scored = score_items(kb, state, [d.text for d in dev], [d.entry_id for d in dev])
        shoppers = [(t, ok) for t, ok in shoppers_items(shoppers_path) if has_content(t)]
        sh = (
            score_items(kb, state, [t for t, _ in shoppers], [None] * len(shoppers))
            if shoppers
            else None
        )
        report: dict[str, Any] = {
            "encoder": kb.encoder.name,
            "version_entries": len(state.entries),
            "dev_file": str(dev_path.relative_to(REPO_ROOT))
            if dev_path.is_relative_to(REPO_ROOT)
            else str(dev_path),
            "dev_questions": len(dev),
            "fusion": kb.params.__dict__,
            "methods": {},
        }
        for method in METHODS:
            probs = fuse(scored.dense, scored.lexical, kb.params, method)
            row: dict[str, Any] = ranking_metrics(probs, scored.gold)
            if method == "hybrid":
                row["outcomes"] = outcome_metrics(probs, scored.gold, kb.params)
            if sh is not None:
                sp = fuse(sh.dense, sh.lexical, kb.params, method)
                row["shoppers_faq_topic_acc"] = topic_accuracy(
                    sp, sh.topics, [ok for _, ok in shoppers]
                )
            report["methods"][method] = row
        report["shoppers_faq_items"] = len(shoppers)
        if with_latency:
            report["latency_hybrid"] = latency(kb, [d.text for d in dev][:100])
    return report
