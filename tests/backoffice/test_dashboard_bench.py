"""The dashboard's benchmark (bot/tools/bench/dashboard.py) on a tiny history: it loads the
synthetic history into a real PostgreSQL, copies it, times the figures and the page, and puts
its section into an existing report without touching the rest (a second run replaces it)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.tools.bench import dashboard
from bot.tools.bench.postgres import PG_BIN


def test_tiny_dashboard_bench_and_its_report_section(tmp_path: Path) -> None:
    if PG_BIN is None:
        import pytest

        pytest.skip("PostgreSQL server binaries not found")
    section = dashboard.measure(120, 1)
    assert section["conversations"] == 120
    assert section["events"] > 120 * 10 and section["cases"] > 0
    assert 0 < section["conversations_in_90_days"] <= 120
    for key in ("figures_28_days", "figures_90_days", "page_90_days", "copy_nothing_new"):
        assert section[key]["runs"] == 1 and section[key]["median_ms"] > 0
    out_json, out_md = tmp_path / "bench.json", tmp_path / "bench.md"
    out_json.write_text(json.dumps({"comptoir": {"x": 1}}))
    out_md.write_text("# Speed benchmark\n\nearlier figures\n")
    dashboard.merge(section, out_json, out_md)
    dashboard.merge({**section, "generate_s": 99.5}, out_json, out_md)
    data = json.loads(out_json.read_text())
    assert data["comptoir"] == {"x": 1} and data["dashboard"]["generate_s"] == 99.5
    text = out_md.read_text()
    assert "earlier figures" in text and text.count(dashboard.START) == 1
    assert "generated (COPY) in 99.5 s" in text and "whole page, 90 days" in text
