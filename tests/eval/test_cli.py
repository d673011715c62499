"""`python -m bot.tools.eval routes` end to end: a tiny file of our own sentences, a Rasa server the
command starts itself (nothing answers at the URL given) and stops afterwards."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ROOT
from bot.tools.processes import free_port

pytestmark = pytest.mark.e2e

ITEMS = [  # written for this test; not from the held-out files
    {"text": "où est mon colis ?", "route": "track_order"},
    {"text": "je voudrais annuler ma commande", "route": "cancel_order"},
    {"text": "bonjour", "route": "greet"},
    {"text": "merci beaucoup", "route": "thank"},
    {"text": "combien coûte la livraison ?", "route": "faq:delivery_cost", "alt": "delivery_time"},
    {"text": "je veux parler à un conseiller", "route": "handoff"},
]


def test_routes_command_starts_rasa_scores_and_stops_it(tmp_path: Path):
    if not (ROOT / "models" / "comptoir.tar.gz").exists():
        pytest.fail("no trained model: run `make model`")
    data = tmp_path / "mini.jsonl"
    data.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in ITEMS) + "\n")
    port = free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.tools.eval",
            "routes",
            str(data),
            "--rasa-url",
            f"http://127.0.0.1:{port}",
            "--token",
            "x",
            "--out-json",
            str(tmp_path / "out.json"),
            "--out-md",
            str(tmp_path / "out.md"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "started Rasa" in result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["n"] == len(ITEMS)
    assert summary["accuracy"] >= 0.8, summary
    assert summary["per_route"]["track_order"]["support"] == 1
    assert summary["per_route"]["greet"]["recall"] == 1.0
    full = json.loads((tmp_path / "out.json").read_text())
    assert "confusion" in full["routes"]
    assert "accuracy" in (tmp_path / "out.md").read_text()
    started = full["routes"]["rasa"]["url"]
    with socket.socket() as sock:  # the server it started is gone
        assert sock.connect_ex(("127.0.0.1", int(started.rsplit(":", 1)[1]))) != 0


@pytest.mark.e2e
def test_report_smoke_writes_both_reports(tmp_path):
    """`make eval-smoke`: the whole quality chain on a handful of items."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.tools.eval",
            "report",
            "--smoke",
            "--out-json",
            str(tmp_path / "eval.json"),
            "--out-md",
            str(tmp_path / "eval.md"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    report = json.loads((tmp_path / "eval.json").read_text())
    assert 0.0 <= summary["routes"]["accuracy"] <= 1.0 and report["routes"]["n"] == 10
    assert 0.0 <= summary["routes_e2e"]["accuracy"] <= 1.0 and report["routes_e2e"]["n"] == 10
    assert 0.0 <= summary["agreement"] <= 1.0
    assert "end to end" in (tmp_path / "eval.md").read_text()
    assert (tmp_path / "eval.md").read_text().strip()
