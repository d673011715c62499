"""The logs' safety net: e-mails and postcode parameters masked in any record that reaches
the one handler, whatever printed it (uvicorn's access log, a library, an exception)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.core import logs


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.configure("info")
    stream = io.StringIO()
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '127.0.0.1:43408 - "GET /v1/orders/CM483391/tracking?email=alexandre.moreau%40exemple'
            '.com HTTP/1.1" 200',
            '127.0.0.1:43408 - "GET /v1/orders/CM483391/tracking?email=<masqué> HTTP/1.1" 200',
        ),
        ("GET /x?postcode=69100&b=1", "GET /x?postcode=<masqué>&b=1"),
        ('{"email": "p.durand66@exemple.com", "postcode": "72000"}', ""),
        ("shopper Léa.Martin+shop@courriel.exemple.fr wrote", "shopper <masqué> wrote"),
        ("Uvicorn running on http://127.0.0.1:45201 pid=63000", ""),
        ("latency_ms=69100 conversation=e2e-track", ""),
    ],
)
def test_mask_personal_data(text: str, expected: str) -> None:
    if text.startswith("{"):
        expected = '{"email": "<masqué>", "postcode": "<masqué>"}'
    assert logs.mask_personal_data(text) == (expected or text)


def test_every_record_is_masked_on_its_way_out(captured: io.StringIO) -> None:
    logging.getLogger("tests.access_log").info(  # as uvicorn.access formats its lines
        '%s - "%s %s HTTP/%s" %d',
        "127.0.0.1:1",
        "GET",
        "/v1/orders/CM1/refunds?email=a.b%40exemple.fr&postcode=33000",
        "1.1",
        200,
    )
    logging.getLogger("x").info("call", extra={"path": "/orders/a.b@exemple.fr"})
    try:
        raise ValueError("no order for a.b@exemple.fr")
    except ValueError:
        logging.getLogger("x").exception("failed")
    logging.getLogger("x").info("nothing personal %s", "CM483391")
    out = captured.getvalue()
    assert "a.b" not in out and "33000" not in out
    assert "refunds?email=<masqué>&postcode=<masqué>" in out
    assert "call path=/orders/<masqué>" in out
    assert "ValueError: no order for <masqué>" in out
    assert "nothing personal CM483391" in out
