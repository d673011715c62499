"""`python -m bot.rasa.channels.telegram ...`: see `bot.rasa.channels.telegram.cli`."""

import sys

from bot.rasa.channels.telegram.cli import main

sys.exit(main())
