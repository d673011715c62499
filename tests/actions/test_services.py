"""The action server's one wiring point (actions/services.py) and its start-up hook."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import actions
from actions import services as wiring
from bot.action_server.server import startup_hook
from bot.clients.backoffice.client import BackOfficeClient
from bot.clients.shop.http import HttpShopClient
from bot.kb import NoIndexError
from bot.settings import ROOT, Settings
from tests.actions.conftest import FakeShop


def test_importing_the_actions_builds_nothing_and_starts_nothing():
    """rasa-sdk imports every action module, in each worker: no client, no thread, no model,
    even with the warm-up switched on (it is the start-up hook's job)."""
    code = (
        "import importlib, pkgutil, threading, actions\n"
        "for m in pkgutil.iter_modules(actions.__path__):\n"
        "    importlib.import_module('actions.' + m.name)\n"
        "from actions import services\n"
        "print(threading.active_count(), services._current)\n"
    )
    env = {**os.environ, "COMPTOIR_KB_WARM_UP": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["1", "None"]


def test_each_default_client_is_built_from_the_settings_on_first_use():
    settings = Settings(
        shop_api_url="http://shop.example:9000",
        shop_api_key="shop-key",
        backoffice_url="http://bo.example:9001",
        service_token="bo-token",
    )
    wired = wiring.Services(settings=settings)
    shop = wired.shop
    assert (
        isinstance(shop, HttpShopClient) and shop.transport.base_url == "http://shop.example:9000"
    )
    assert shop.transport.headers["X-API-Key"] == "shop-key" and wired.shop is shop
    back_office = wired.back_office
    assert isinstance(back_office, BackOfficeClient)
    assert back_office.base_url == "http://bo.example:9001" and wired.back_office is back_office


def test_a_client_given_is_used_and_the_others_are_left_alone():
    mine = FakeShop()
    wired = wiring.Services(shop=mine)  # type: ignore[arg-type]
    assert wired.shop is mine
    assert wired._back_office is None and wired._kb is None and wired._throttle is None


def test_install_replaces_the_services_of_every_action(services):
    """The fixture installed `services`; a deployment installs its own the same way."""
    assert wiring.current() is services
    mine = wiring.Services(shop=FakeShop())  # type: ignore[arg-type]
    assert wiring.install(mine) is services
    try:
        assert wiring.current() is mine
    finally:
        wiring.install(services)


def test_install_none_goes_back_to_the_defaults(services):
    previous = wiring.install(None)
    try:
        assert previous is services
        fresh = wiring.current()
        assert fresh is not services and fresh._shop is None  # built again, lazily
    finally:
        wiring.install(previous)


def test_start_builds_the_clients_now(services):
    """A wrong setting fails as the server starts, not at the first shopper."""
    wired = wiring.Services(
        shop=services.shop,
        kb=services.kb,
        throttle=services.throttle,
        settings=Settings(service_token="bo-token"),
    )
    wiring.install(wired)
    assert wiring.start(warm_up=False) is None
    assert isinstance(wired._back_office, BackOfficeClient)


def test_start_warms_the_knowledge_base_in_the_background(knowledge_base, monkeypatch):
    warmed: list[str] = []
    monkeypatch.setattr(knowledge_base, "warm_up", lambda: warmed.append("warm") or "v000001")
    thread = wiring.start(warm_up=True)
    assert thread is not None and thread.daemon
    thread.join(5)
    assert warmed == ["warm"]


def test_start_without_warm_up_loads_nothing(knowledge_base, monkeypatch):
    warmed: list[str] = []
    monkeypatch.setattr(knowledge_base, "warm_up", lambda: warmed.append("warm") or "v000001")
    assert wiring.start(warm_up=False) is None
    assert warmed == []


def test_a_failed_warm_up_is_logged_not_raised(knowledge_base, monkeypatch, caplog):
    def fail() -> str:
        raise NoIndexError("nothing published")

    monkeypatch.setattr(knowledge_base, "warm_up", fail)
    with caplog.at_level(logging.ERROR, logger="actions.services"):
        thread = wiring.start(warm_up=True)
        assert thread is not None
        thread.join(5)
    assert "knowledge base warm-up failed" in caplog.text


def test_the_action_server_finds_the_actions_start_up_hook():
    assert startup_hook("actions") is actions.on_server_start
    assert startup_hook("bot.core") is None and startup_hook(None) is None


def test_the_hook_starts_the_services(monkeypatch):
    started: list[bool] = []
    monkeypatch.setattr(wiring, "start", lambda: started.append(True))
    actions.on_server_start()
    assert started == [True]
