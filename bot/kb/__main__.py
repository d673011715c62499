"""Entry point of `python -m bot.kb`."""

import sys

from .cli import main

sys.exit(main())
