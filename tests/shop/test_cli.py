"""`python -m bot.demo_shop`: demo orders a tester can use right away, seeding, help."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bot.clients.shop.models import OrderStatus
from bot.demo_shop import db
from bot.demo_shop.__main__ import demo_orders, main
from bot.demo_shop.api import create_app

from .conftest import API_KEY, ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.demo_shop", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_demo_orders_cover_every_status_and_work_against_the_api(db_url: str) -> None:
    result = _run("demo-orders", "--db", db_url)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {line["status"] for line in lines} == {s.value for s in OrderStatus}
    for line in lines:
        assert {"number", "email", "postcode", "status"} <= set(line)
        assert set(line) <= {"number", "email", "postcode", "status", "first_name", "items"}
    by_status = {line["status"]: line for line in lines}
    with TestClient(create_app(db_url, API_KEY), headers={"X-API-Key": API_KEY}) as client:

        def order(status: str, proof: str) -> dict:
            line = by_status[status]
            response = client.post(f"/v1/orders/{line['number']}/verify", json={proof: line[proof]})
            assert response.status_code == 200, response.text
            return response.json()

        delivered = order("delivered", "email")
        assert delivered["return_deadline"] and all(i["returnable"] for i in delivered["items"])
        assert order("preparing", "postcode")["cancellable"]
        assert order("shipped", "email")["tracking"]["tracking_url"]
        assert order("delayed", "postcode")["tracking"]["delayed"]
    engine = db.make_engine(db_url)
    with Session(engine) as session:  # the same choice on every call
        assert [d["number"] for d in demo_orders(session, 1)] == [d["number"] for d in lines]
    engine.dispose()


def test_per_status_and_seed_is_idempotent(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    engine = db.make_engine(db_url)
    with Session(engine) as session:
        lines = list(demo_orders(session, 3))
    engine.dispose()
    assert len(lines) == 3 * len(OrderStatus)
    assert len({line["number"] for line in lines}) == len(lines)
    assert main(["seed", "--db", db_url]) == 0
    assert "déjà remplie" in capsys.readouterr().out


def test_help_describes_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for command in ("seed", "demo-orders", "serve"):
        assert command in out
    with pytest.raises(SystemExit):
        main(["demo-orders", "--help"])
    assert "--per-status" in capsys.readouterr().out
