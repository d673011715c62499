"""`python -m bot.tools.bench --smoke` keeps working: it starts both stacks, measures every figure
on a handful of turns and writes a report of the expected shape. Numbers are not judged here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.settings import ROOT

pytestmark = pytest.mark.e2e

KINDS = ("static", "order", "kb")


def positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not (ROOT / "models" / "comptoir.tar.gz").exists():
        pytest.fail("no trained model: run `make model` first")
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.tools.bench",
            "--smoke",
            "--out-json",
            str(out / "bench.json"),
            "--out-md",
            str(out / "bench.md"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["smoke"] is True
    data = json.loads((out / "bench.json").read_text())
    data["_folder"] = out
    return data


def test_report_has_both_bots_ratios_and_meta(report: dict[str, Any]) -> None:
    assert {"comptoir", "vanilla", "ratios", "meta"} <= set(report)
    assert report["meta"]["smoke"] is True
    assert report["meta"]["git_commit"] and report["meta"]["machine"]["cores"] >= 1
    folder: Path = report["_folder"]
    markdown = (folder / "bench.md").read_text()
    assert "| figure |" in markdown
    for png in ("bench_latency.png", "bench_throughput.png", "bench_growth.png"):
        assert (folder / png).stat().st_size > 1000


@pytest.mark.parametrize("bot", ["comptoir", "vanilla"])
def test_every_figure_is_a_positive_number(report: dict[str, Any], bot: str) -> None:
    r = report[bot]
    assert positive(r["startup_s"]["all"])
    for process in ("shop", "actions", "rasa"):
        assert positive(r["startup_s"][process])
        assert positive(r["rss_mb"]["after_load"][process])
    for when in ("fresh", "deep"):
        for kind in KINDS:
            assert positive(r["latency"][when][kind]["median_ms"])
            assert positive(r["latency"][when][kind]["p95_ms"])
    assert set(r["throughput"]) == {"1", "2"}
    for row in r["throughput"].values():
        assert positive(row["turns_per_s"]) and positive(row["p95_ms"])
        assert row["errors"] == 0
        assert positive(row["cores_used"]["rasa"]) and positive(row["cores_used"]["machine"])
        assert row["cores_used"]["total"] >= row["cores_used"]["rasa"]


def test_comptoir_answers_each_kind_of_turn_as_expected(report: dict[str, Any]) -> None:
    for when in ("fresh", "deep"):
        for kind in KINDS:
            assert report["comptoir"]["latency"][when][kind]["expected_reply_rate"] == 1.0


def test_ratios_cover_latency_throughput_memory_and_startup(report: dict[str, Any]) -> None:
    ratios = report["ratios"]
    assert positive(ratios["startup_s"]["all"])
    assert positive(ratios["rss_mb"]["after_load"]["total"])
    assert positive(ratios["latency"]["fresh"]["kb"]["median_ms"])
    assert positive(ratios["throughput"]["2"]["turns_per_s"])
    if not report["vanilla"]["comparable"]:
        assert "NOT comparable" in ratios["warning"]


def test_knowledge_base_figures(report: dict[str, Any]) -> None:
    kb = report["comptoir"]["kb"]
    assert positive(kb["query_latency"]["search"]["median_ms"])
    assert kb["publish_to_answer"]["found"]
    assert positive(kb["ann"][0]["flat"]["median_ms"])


def test_smoke_says_its_vanilla_is_a_stand_in(report: dict[str, Any]) -> None:
    assert report["vanilla"]["comparable"] is False
    assert "NOT comparable" in report["ratios"]["warning"]


def test_vanilla_config_is_what_rasa_init_writes_in_french() -> None:
    import yaml

    config = yaml.safe_load((ROOT / "configs" / "vanilla.yml").read_text())
    assert config["recipe"] == "default.v1" and config["language"] == "fr"
    assert config["pipeline"] is None and config["policies"] is None  # Rasa's defaults
    endpoints = yaml.safe_load((ROOT / "configs" / "endpoints-vanilla.yml").read_text())
    assert endpoints["tracker_store"]["type"] == "SQL"  # Rasa's own store
