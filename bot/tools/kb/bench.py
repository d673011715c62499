"""Benchmarks anyone can rerun: query latency, build time, publish-to-answer, ANN vs exact.

`run_bench()` returns a JSON-able dict; `python -m bot.tools.kb bench` prints it. `quick=True`
shrinks
every size so CI can smoke-test the whole path in seconds.
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from bot.kb import index as faiss_index
from bot.kb.config import KBSettings, get_kb_settings
from bot.kb.corpus import load_faq_dir
from bot.kb.service import KnowledgeBase
from bot.kb.types import Entry
from bot.tools.kb.eval import load_dev

log = logging.getLogger(__name__)

PROBE = Entry(
    id="contact.bench_probe",
    topic="contact",
    question="Le robot de test zéphyrin répond-il aux questions de banc d'essai ?",
    alternatives=("zephyrin robot test", "banc d'essai zéphyrin", "question zephyrin banc"),
    answer="Oui, c'est l'entrée de mesure du banc d'essai.",
)


EF_SWEEP = (16, 64, 256, 1024)


def _stats(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
        "n": len(ordered),
    }


def query_latency(kb: KnowledgeBase, queries: Sequence[str]) -> dict[str, Any]:
    """Whole search (normalise + embed + FAISS + lexical + fusion), and embedding alone."""
    kb.search(queries[0])
    total, embed = [], []
    for query in queries:
        started = time.perf_counter()
        kb.encoder.encode([query], prompt_name="query")
        embed.append((time.perf_counter() - started) * 1e3)
        started = time.perf_counter()
        kb.search(query)
        total.append((time.perf_counter() - started) * 1e3)
    return {"search": _stats(total), "embedding_only": _stats(embed)}


def publish_to_answer(
    kb: KnowledgeBase, reader: KnowledgeBase, timeout: float = 10.0
) -> dict[str, Any]:
    """Seconds from upsert of one new entry to a *separate* reader answering with it."""
    started = time.perf_counter()
    version = kb.upsert([PROBE])
    published = time.perf_counter()
    found = False
    while time.perf_counter() - started < timeout:
        result = reader.search(PROBE.question)
        if result.top is not None and result.top.id == PROBE.id:
            found = True
            break
    done = time.perf_counter()
    kb.delete([PROBE.id])
    return {
        "version": version,
        "publish_s": round(published - started, 3),
        "publish_to_answer_s": round(done - started, 3),
        "found": found,
        "within_2s": found and done - started <= 2.0,
    }


# Building HNSW over 1M vectors took over 17 minutes on 2 cores (stopped): above this size only
# exact search is measured, which is what the knowledge base uses up to 1M entries anyway.
HNSW_MAX_BUILD = 200_000


def ann_vs_exact(
    size: int, dimension: int, settings: KBSettings, n_queries: int = 200, seed: int = 7
) -> dict[str, Any]:
    """Search latency and recall@5 of HNSW (efSearch sweep) against exact search.

    Random unit vectors are the worst case for graph search (no clusters; in 384 dimensions the
    true neighbours are barely closer than anything else), so recall here is a floor.
    """
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((size, dimension), dtype=np.float32)
    data /= np.linalg.norm(data, axis=1, keepdims=True)
    queries = rng.standard_normal((n_queries, dimension), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = np.arange(size, dtype=np.int64)
    out: dict[str, Any] = {"size": size, "dimension": dimension}

    def timed_search(index: Any) -> tuple[dict[str, float], np.ndarray]:
        timings, results = [], []
        for q in queries:
            t = time.perf_counter()
            _, hit = index.search(q[None, :], 5)
            timings.append((time.perf_counter() - t) * 1e3)
            results.append(hit[0])
        return _stats(timings), np.array(results)

    started = time.perf_counter()
    flat = faiss_index.build_index(data, ids, "flat")
    out["flat"] = {"build_s": round(time.perf_counter() - started, 2)}
    stats, exact = timed_search(flat)
    out["flat"].update(stats)
    del flat
    if size > HNSW_MAX_BUILD:
        out["hnsw"] = {"skipped": f"not built above {HNSW_MAX_BUILD:,} vectors (too slow here)"}
        return out
    started = time.perf_counter()
    hnsw = faiss_index.build_index(
        data, ids, "hnsw", settings.hnsw_m, settings.hnsw_ef_construction
    )
    out["hnsw"] = {
        "build_s": round(time.perf_counter() - started, 2),
        "M": settings.hnsw_m,
        "efConstruction": settings.hnsw_ef_construction,
        "sweep": [],
    }
    for ef in sorted({*EF_SWEEP, settings.hnsw_ef_search}):
        faiss_index.set_ef_search(hnsw, ef)
        stats, approx = timed_search(hnsw)
        recall = float(
            np.mean([len(set(a) & set(b)) / 5 for a, b in zip(approx, exact, strict=True)])
        )
        row = {"efSearch": ef, **stats, "recall@5": round(recall, 4)}
        out["hnsw"]["sweep"].append(row)
        if ef == settings.hnsw_ef_search:
            out["hnsw"].update({k: v for k, v in row.items()})
    return out


def run_bench(
    sizes: Sequence[int] = (10_000, 100_000, 1_000_000),
    quick: bool = False,
    settings: KBSettings | None = None,
    faq_dir: Path | None = None,
) -> dict[str, Any]:
    settings = settings or get_kb_settings()
    entries = load_faq_dir(Path(faq_dir or settings.faq_dir))
    queries = [d.text for d in load_dev()]
    if quick:
        entries, queries, sizes = entries[:12], queries[:20], [2_000]
    report: dict[str, Any] = {"encoder": settings.encoder, "quick": quick, "entries": len(entries)}
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as folder:
        with tempfile.TemporaryDirectory(prefix="kb-bench-faq-") as faq:
            from bot.kb.corpus import export_yaml

            export_yaml(entries, Path(faq))
            kb = KnowledgeBase(folder, settings=settings)
            _ = kb.encoder.checksum
            kb.encoder.encode(["chauffe"])  # model load is start-up cost, not build cost
            started = time.perf_counter()
            build = kb.build(Path(faq))
            report["full_build"] = {
                "seconds": round(time.perf_counter() - started, 3),
                "vectors": build.vectors,
                "encoded": build.encoded,
            }
            started = time.perf_counter()
            rebuild = kb.build(Path(faq))
            elapsed = round(time.perf_counter() - started, 3)
            report["rebuild_unchanged"] = {"seconds": elapsed, "encoded": rebuild.encoded}
        report["query_latency"] = query_latency(kb, queries)
        reader = KnowledgeBase(folder, settings=settings, encoder=kb.encoder)
        reader.search("bonjour")
        report["publish_to_answer"] = publish_to_answer(kb, reader)
    report["ann"] = [
        ann_vs_exact(size, kb.encoder.dimension, settings, 50 if quick else 200) for size in sizes
    ]
    return report
