"""The scale bench's machinery, on a few hundred real product texts and a crude encoder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bot.catalogue.bench import _previous_runs, _recall, bench_size, choose, markdown
from bot.catalogue.generate import iter_products

from .conftest import TrigramEncoder


def test_recall_counts_ties_with_the_exact_kth() -> None:
    exact_ids = np.array([[1, 2, 3]])
    exact_scores = np.array([[0.9, 0.8, 0.7]])
    assert (
        _recall(np.array([[1, 2, 3]]), np.array([[0.9, 0.8, 0.7]]), exact_scores, exact_ids, k=3)
        == 1.0
    )
    # 9 is not in the exact top 3 but ties with its 3rd: as good an answer
    assert (
        _recall(np.array([[1, 2, 9]]), np.array([[0.9, 0.8, 0.7]]), exact_scores, exact_ids, k=3)
        == 1.0
    )
    assert _recall(
        np.array([[1, 8, -1]]), np.array([[0.9, 0.5, 0.0]]), exact_scores, exact_ids, k=3
    ) == round(1 / 3, 4)


def test_every_index_is_measured_and_one_is_chosen() -> None:
    encoder = TrigramEncoder()
    vectors = encoder.encode([p.text() for p in iter_products(600)])
    queries = encoder.encode(["robe rouge en lin", "eau de parfum figue", "bouilloire inox"] * 10)
    rows = bench_size(vectors, queries, pq=False)
    kinds = {r["index"] for r in rows}
    assert kinds == {"flat (exact)", "hnsw", "ivf-flat"}
    exact = next(r for r in rows if r["index"] == "flat (exact)")
    assert exact["recall@10"] == 1.0 and exact["memory_mb"] > 0
    best_hnsw = max(r["recall@10"] for r in rows if r["index"] == "hnsw")
    assert best_hnsw >= 0.95
    chosen = choose(rows)
    assert chosen is not None and chosen["recall@10"] >= 0.95
    assert choose(rows, p95_ms=0.0) is None


def test_report_keeps_earlier_runs(tmp_path: Path) -> None:
    row = {
        "index": "flat (exact)",
        "build_s": 0.1,
        "memory_mb": 1.0,
        "recall@10": 1.0,
        "p50_ms": 0.2,
        "p95_ms": 0.3,
    }
    first = {
        "encoder": "use",
        "queries": 5,
        "machine": "x",
        "summary": {"100": row},
        "sizes": {"100": {"embedding_s": 1.0, "rows": [row]}},
    }
    path = tmp_path / "catalogue-bench.json"
    path.write_text(json.dumps(first))
    runs = _previous_runs(path)
    assert list(runs) == ["100 use"] and runs["100 use"]["chosen"] == row
    text = markdown({"queries": 5, "machine": "x", "runs": runs})
    assert "## 100 products, `use`" in text and "**flat (exact)**" in text
