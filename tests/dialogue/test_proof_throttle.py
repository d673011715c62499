"""The wrong-proof counter's table, created by whichever action-server worker starts first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import OperationalError

from bot.dialogue import proof_throttle
from bot.dialogue.proof_throttle import Limit, ProofThrottle


def test_a_table_another_worker_just_created_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'throttle.db'}")
    real = proof_throttle.metadata.create_all
    calls = []

    def raced(bind: Any, **kw: Any) -> None:
        calls.append(1)
        real(bind, **kw)  # the other worker's CREATE lands first...
        if len(calls) == 1:  # ...and this one's fails
            raise OperationalError("CREATE TABLE proof_failures", {}, Exception("already exists"))

    monkeypatch.setattr(proof_throttle.metadata, "create_all", raced)
    throttle = ProofThrottle(engine, {"conversation": Limit(5, 900)})
    assert len(calls) == 2 and "proof_failures" in inspect(engine).get_table_names()
    assert throttle.wait_seconds([]) == 0
