"""Entry point of `python -m bot.catalogue`."""

import sys

from .cli import main

sys.exit(main())
