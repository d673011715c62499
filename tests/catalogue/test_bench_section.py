"""The catalogue's section of reports/bench.{json,md}: read from the catalogue bench's report,
never re-measured, and put between its markers without touching the rest."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.catalogue.bench import bench_size
from bot.catalogue.bench import markdown as catalogue_md
from bot.catalogue.generate import iter_products
from bot.tools.bench.catalogue import END, START, markdown, merge, section

from .conftest import TrigramEncoder


def _row(index: str, recall: float, p95: float, memory: float, **params: int) -> dict:
    return {
        "index": index,
        **params,
        "build_s": 1.0,
        "memory_mb": memory,
        "recall@10": recall,
        "1-recall@10": recall,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
    }


def _report(tmp_path: Path) -> Path:
    rows = [
        _row("flat (exact)", 1.0, 250.0, 1953.1),
        _row("hnsw", 0.91, 9.5, 2200.0, M=32, efConstruction=80, efSearch=1024),
        _row("ivf-flat", 0.94, 3.0, 1960.0, nlist=4000, nprobe=64),
        _row("ivf-flat", 0.97, 6.1, 1960.0, nlist=4000, nprobe=128),
        _row("ivf-flat", 0.99, 12.0, 1960.0, nlist=4000, nprobe=256),
        _row("ivf-pq", 0.66, 1.2, 70.0, nlist=4000, pq_m=64, nprobe=128),
    ]
    run = {
        "encoder": "use-multilingual-v3",
        "size": 1_000_000,
        "measured": "2026-12-02 00:30 UTC",
        "distinct_texts": 757_585,
        "products": 1_000_000,
        "reused_from_smaller_cache": 91_972,
        "embedded_texts": 665_613,
        "embedding_s": 3600.0,
        "rows": rows,
        "chosen": rows[3],
        "chosen_1_recall": rows[3],
    }
    path = tmp_path / "catalogue-bench.json"
    report = {"machine": "x86_64", "queries": 300, "runs": {"1000000 use": run}}
    path.write_text(json.dumps(report))
    return path


def test_section_reads_the_catalogue_report_and_says_where_from(tmp_path: Path) -> None:
    data = section(_report(tmp_path))
    assert data["command"].startswith("make catalogue-bench")
    (run,) = data["runs"]
    assert run["chosen"]["nprobe"] == 128
    assert run["kinds"]["ivf-flat"]["row"]["nprobe"] == 128  # smallest-then-fastest meeting
    assert run["kinds"]["ivf-flat"]["meets_bar"] is True
    assert run["kinds"]["hnsw"]["meets_bar"] is False  # best within 10 ms, below the bar
    assert run["kinds"]["flat (exact)"]["row"] is None  # 250 ms: nothing within 10 ms
    text = "\n".join(markdown(data))
    assert "| 1,000,000 | use-multilingual-v3 | ivf-flat | nlist=4000, nprobe=128 |" in text
    assert "| flat (exact) | none within 10 ms |" in text
    assert "**ivf-flat** (nlist=4000, nprobe=128)" in text
    assert data["written"] in text and "catalogue-bench.json" in text


def test_a_missing_report_is_said_not_invented(tmp_path: Path) -> None:
    data = section(tmp_path / "nothing.json")
    assert "make catalogue-bench" in data["skipped"]
    assert "Skipped" in "\n".join(markdown(data))


def test_merge_replaces_only_its_own_block(tmp_path: Path) -> None:
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    out_json.write_text(json.dumps({"dashboard": {"kept": 1}}))
    out_md.write_text("# Speed benchmark\n\n<!-- dashboard:start -->\nD\n<!-- dashboard:end -->\n")
    data = section(_report(tmp_path))
    merge(data, out_json, out_md)
    merge(data, out_json, out_md)  # twice: still one block
    text = out_md.read_text()
    assert text.count(START) == 1 and text.count(END) == 1
    assert "<!-- dashboard:start -->\nD\n<!-- dashboard:end -->" in text
    saved = json.loads(out_json.read_text())
    assert saved["dashboard"] == {"kept": 1} and saved["catalogue"]["runs"][0]["size"] == 1_000_000


def test_catalogue_report_shows_what_the_dedup_saved(tmp_path: Path) -> None:
    report = json.loads(_report(tmp_path).read_text())
    text = catalogue_md(report)
    assert "757,585 distinct product texts for 1,000,000 products" in text
    assert "91,972 taken from a smaller size's cache" in text


def test_bench_hands_over_its_rows_after_each_index() -> None:
    encoder = TrigramEncoder()
    vectors = encoder.encode([p.text() for p in iter_products(400)])
    queries = encoder.encode(["robe rouge en lin", "bouilloire inox"] * 6)
    seen: list[list[str]] = []
    rows = bench_size(vectors, queries, on_row=lambda rows: seen.append([r["index"] for r in rows]))
    assert [s[-1] for s in seen] == ["flat (exact)", "ivf-flat", "ivf-pq", "hnsw", "hnsw"]
    assert len(seen[-1]) == len(rows) and np.all([r["build_s"] >= 0 for r in rows])
    pq = [r for r in rows if r["index"] == "ivf-pq"]
    flat = [r for r in rows if r["index"] == "ivf-flat"]
    assert pq and pq[0]["build_s"] >= 0 and pq[0]["memory_mb"] < flat[0]["memory_mb"]


def test_a_chunked_size_runs_end_to_end_and_reports_its_dedup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 1M path (dedup, chunks, progressive report) on 500 products and a crude encoder."""
    from bot.catalogue import bench

    encoder = TrigramEncoder()
    monkeypatch.setattr(bench, "_encoder", lambda name: encoder)
    monkeypatch.setattr(bench, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(bench, "CHUNKED_ABOVE", 300)
    report = bench.run([500], encoder_name="trigrams", queries=20, out_dir=tmp_path)
    run = report["runs"]["500 test-trigrams"]
    assert run["products"] == 500 and run["distinct_texts"] < 500
    assert run["embedded_texts"] == run["distinct_texts"] and run["embedding_s"] >= 0
    assert {r["index"] for r in run["rows"]} == {"flat (exact)", "hnsw", "ivf-flat", "ivf-pq"}
    assert (
        "distinct product texts for 500 products" in (tmp_path / "catalogue-bench.md").read_text()
    )
    again = bench.run([500], encoder_name="trigrams", queries=20, out_dir=tmp_path)
    assert again["runs"]["500 test-trigrams"]["embedded_texts"] == run["embedded_texts"]  # cached
