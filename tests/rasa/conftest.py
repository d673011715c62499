"""Helpers to run Rasa's own commands (Python 3.10 virtualenv) from pytest (Python 3.11)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.settings import ROOT

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "models" / "comptoir.tar.gz"


def rasa_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def run_rasa(*args: str, cwd: Path = ROOT, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RASA), *args], cwd=cwd, env=rasa_env(), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def trained_model() -> Path:
    if not RASA.exists() or not MODEL.exists():
        pytest.fail("Rasa environment or trained model missing: run `make test`, which builds them")
    return MODEL
