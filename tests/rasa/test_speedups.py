"""The Rasa speed-ups (bot/rasa/speedups/state_memo.py, bot/rasa/tracker_store.py) give Rasa's own
results: checked inside the Rasa environment by tests/rasa/speedups_check.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import RASA, rasa_env

CHECK = Path(__file__).with_name("speedups_check.py")


def run_check(which: str, *args: str) -> dict:
    python = RASA.with_name("python")
    if not python.exists():
        pytest.fail("no Rasa environment (.venv-rasa): run `make test`, which builds it")
    done = subprocess.run(
        [str(python), str(CHECK), which, *args],
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-3000:]
    result = json.loads(lines[-1])
    assert result["ok"], result["error"]
    assert done.returncode == 0
    return result


def test_state_memo_gives_rasas_states_on_every_story_as_it_grows():
    result = run_check("state-memo")
    assert result["conversations"] >= 50
    assert result["states"]["resumed"] > result["states"]["restarted"]
    assert result["applied_events"]["resumed"] > result["applied_events"]["restarted"]


def test_cached_tracker_store_serves_what_rasas_sql_store_reads():
    result = run_check("tracker-store")
    assert result["checks"] >= 20 and result["dialect"] == "sqlite"


def test_cached_tracker_store_on_postgresql(postgres_url: str):
    result = run_check("tracker-store", postgres_url.replace("+psycopg", ""))
    assert result["checks"] >= 20 and result["dialect"] == "postgresql"
