"""One logging configuration: extra fields are printed as key=value, one handler only."""

from __future__ import annotations

import logging

import pytest

from bot.core import logs


@pytest.fixture
def restored_root():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_extra_fields_follow_the_message() -> None:
    formatter = logs.KeyValueFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord("bot.clients.shop", logging.INFO, "", 0, "shop call", None, None)
    record.__dict__.update({"shop_status": "200", "latency_ms": 12, "shop_path": "/v1/orders x"})
    assert formatter.format(record) == (
        'INFO bot.clients.shop: shop call latency_ms=12 shop_path="/v1/orders x" shop_status=200'
    )


def test_a_plain_record_is_left_alone() -> None:
    formatter = logs.KeyValueFormatter("%(message)s")
    record = logging.LogRecord("x", logging.INFO, "", 0, "bonjour %s", ("vous",), None)
    assert formatter.format(record) == "bonjour vous"


def test_configure_replaces_every_handler(restored_root: logging.Logger) -> None:
    restored_root.addHandler(logging.StreamHandler())
    restored_root.addHandler(logging.StreamHandler())
    logs.configure("debug")
    logs.configure("warning")  # twice: still one handler, no line printed twice
    assert len(restored_root.handlers) == 1
    assert isinstance(restored_root.handlers[0].formatter, logs.KeyValueFormatter)
    assert restored_root.level == logging.WARNING


def test_levels_by_name_or_number() -> None:
    assert logs.level_of("info") == logging.INFO and logs.level_of(10) == logging.DEBUG
    assert logs.level_of(None) == logging.INFO
    with pytest.raises(ValueError, match="unknown log level"):
        logs.level_of("bavard")
