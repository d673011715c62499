"""One table of ports: each process's address follows its port unless set explicitly."""

from __future__ import annotations

import pytest

from bot.core.ports import DEFAULT_PORTS, local_url, port


def test_defaults_and_overrides() -> None:
    assert port("rasa", {}) == DEFAULT_PORTS["rasa"] == 5005
    assert port("rasa", {"COMPTOIR_RASA_PORT": " 6006 "}) == 6006
    assert local_url("actions", {"COMPTOIR_ACTIONS_PORT": "7000"}) == "http://127.0.0.1:7000"


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1"])
def test_a_wrong_port_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValueError, match="COMPTOIR_WEB_PORT must be a port number"):
        port("web", {"COMPTOIR_WEB_PORT": value})
