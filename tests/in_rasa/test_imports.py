"""Every module the Rasa server may load imports under its Python 3.10 environment: a 3.11-only
dependency (pydantic-settings, FastAPI, bot.settings…) fails here, not at the server's start."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import bot.core
import bot.nlu
import bot.rasa

MODULES = sorted(
    info.name
    for package in (bot.core, bot.nlu, bot.rasa)
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if not info.name.endswith("__main__")
)


def test_the_rasa_side_is_all_listed() -> None:
    assert "bot.rasa.policies.handoff" in MODULES and "bot.core.handoff" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_imports_under_the_rasa_python(name: str) -> None:
    importlib.import_module(name)
