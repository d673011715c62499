"""The demo shop (Python 3.11): a small French web shop's order API with its own database, so
that the whole product runs on one machine (`python -m bot.demo_shop --help`). It serves the
contract of `bot.clients.shop`; a real deployment points the actions at its own platform."""
