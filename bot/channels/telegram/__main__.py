"""`python -m bot.channels.telegram ...`: see `bot.channels.telegram.cli`."""
import sys

from bot.channels.telegram.cli import main

sys.exit(main())
