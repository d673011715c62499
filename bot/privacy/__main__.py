"""python -m bot.privacy find | export | erase | purge (bot/privacy/cli.py)."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
