"""Measure product search on the dev set: hit@1 / hit@3 per method, with and without spaCy.

A question is a hit@k when one of the first k products returned is one of its right SKUs.
Every figure comes from the whole path (parse, both legs, fusion, constraints).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from bot.kb.encoders import CachingEncoder, Encoder

from .devset import Question, load, load_absent
from .generate import DEFAULT_SEED, DEFAULT_SIZE, generate
from .models import Product
from .query import parse, spacy_lemmatiser
from .search import Method, ProductSearch

log = logging.getLogger(__name__)

CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "catalogue"


@dataclass(frozen=True)
class Score:
    method: str
    spacy: bool
    hit1: float
    hit3: float
    n: int
    ms_per_query: float
    by_kind: dict[str, float]
    misses: tuple[str, ...] = ()
    found_kept: float = 0.0  # answerable questions the search says it found
    absent_rejected: float = 0.0  # questions about unsold products it says it did not find

    def row(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "spacy": self.spacy,
            "hit@1": round(self.hit1, 3),
            "hit@3": round(self.hit3, 3),
            "n": self.n,
            "ms_per_query": round(self.ms_per_query, 1),
            "hit@3_by_kind": {k: round(v, 3) for k, v in sorted(self.by_kind.items())},
            "found_kept": round(self.found_kept, 3),
            "absent_rejected": round(self.absent_rejected, 3),
        }


def score(
    search: ProductSearch,
    questions: Sequence[Question],
    use_spacy: bool,
    absent: Sequence[str] = (),
) -> Score:
    hits1 = hits3 = kept = 0
    by_kind: dict[str, list[bool]] = {}
    misses = []
    lemmatiser = spacy_lemmatiser if use_spacy else None
    started = time.perf_counter()
    for question in questions:
        query = parse(question.text, lemmatiser)
        result = search.search(question.text, k=3, query=query)
        found = result.skus
        kept += bool(getattr(result, "found", True))
        right = set(question.skus)
        top1 = bool(found[:1]) and found[0] in right
        top3 = bool(right.intersection(found[:3]))
        hits1 += top1
        hits3 += top3
        by_kind.setdefault(question.kind or "-", []).append(top3)
        if not top3:
            misses.append(f"{question.text}  ->  {found[:3]} (want {list(question.skus)[:3]})")
    elapsed = (time.perf_counter() - started) * 1e3
    n = max(1, len(questions))
    rejected = sum(not search.search(text, k=3).found for text in absent)
    return Score(
        search.method,
        use_spacy,
        hits1 / n,
        hits3 / n,
        len(questions),
        elapsed / n,
        {k: sum(v) / len(v) for k, v in by_kind.items()},
        tuple(misses),
        kept / n,
        rejected / max(1, len(absent)),
    )


def evaluate(
    products: Sequence[Product] | None = None,
    questions: Sequence[Question] | None = None,
    encoder: Encoder | None = None,
    methods: Sequence[Method] = ("lexical", "dense", "hybrid"),
    spacy_options: Sequence[bool] = (False, True),
) -> list[Score]:
    """Every (method, spaCy on/off) on the dev set; product vectors cached in var/catalogue."""
    products = list(products if products is not None else generate(DEFAULT_SIZE, DEFAULT_SEED))
    absent = load_absent() if questions is None else []
    questions = list(questions if questions is not None else load())
    memo = CachingEncoder(encoder) if encoder is not None else None
    search = ProductSearch(products, memo, cache_dir=CACHE_DIR)
    out = []
    for method in methods:
        if method != "lexical" and memo is None:
            continue
        search.method = method
        for use_spacy in spacy_options:
            out.append(score(search, questions, use_spacy, absent))
    return out
