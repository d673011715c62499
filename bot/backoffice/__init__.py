"""Comptoir's back office: agents' inbox, FAQ editor, users; the hand-off service API.

from bot.backoffice import create_app      # create_app(settings=None, *, kb=None, clock=None)
python -m bot.backoffice serve | migrate | create-user | set-password
"""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    from .app import create_app as factory

    return factory(*args, **kwargs)


__all__ = ["create_app"]
