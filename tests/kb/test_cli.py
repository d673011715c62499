"""CLI smoke tests through real subprocesses on a temporary kb directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.kb.config import REPO_ROOT, get_kb_settings


def run(*args: str, kb_dir: Path, faq_dir: Path, module: str = "bot.kb") -> dict:
    env = {**os.environ, "COMPTOIR_KB_DIR": str(kb_dir), "COMPTOIR_KB_ENCODER_THREADS": "2"}
    done = subprocess.run(
        [sys.executable, "-m", module, "--faq-dir", str(faq_dir), *args, "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_build_search_versions(tmp_path: Path, tiny_faq_dir: Path) -> None:
    kb_dir = tmp_path / "kb"
    built = run("build", kb_dir=kb_dir, faq_dir=tiny_faq_dir)
    assert built["version"] == "v000001" and built["entries"] == 4
    found = run(
        "search",
        "je voudrais ouvrir un compte client chez vous",
        kb_dir=kb_dir,
        faq_dir=tiny_faq_dir,
    )
    assert found["outcome"] in ("answer", "choose", "none")
    assert found["hits"][0]["id"] == "account.create"
    assert set(found["hits"][0]) >= {"id", "topic", "question", "answer", "score", "legs"}
    versions = run("versions", kb_dir=kb_dir, faq_dir=tiny_faq_dir)
    assert versions[0]["current"] and versions[0]["model"] == get_kb_settings().encoder


def test_bench_quick(tmp_path: Path, tiny_faq_dir: Path) -> None:
    report = run(
        "bench", "--quick", kb_dir=tmp_path / "unused", faq_dir=tiny_faq_dir, module="bot.tools.kb"
    )
    assert report["quick"] is True
    assert report["publish_to_answer"]["found"] and report["publish_to_answer"]["within_2s"]
    assert report["query_latency"]["search"]["median_ms"] > 0
    ann = report["ann"][0]
    assert 0.0 <= ann["hnsw"]["recall@5"] <= 1.0 and ann["flat"]["median_ms"] > 0
