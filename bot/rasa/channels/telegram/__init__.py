"""Telegram connector for the Rasa server, on python-telegram-bot, in webhook mode.

In Rasa's credentials file (`python -m bot.rasa.channels.credentials` writes it; docs/channels.md):

    bot.rasa.channels.telegram.TelegramInput:
      access_token: ${COMPTOIR_TELEGRAM_TOKEN}     # from BotFather
      secret_token: ${COMPTOIR_TELEGRAM_SECRET}    # 1-256 characters A-Z a-z 0-9 _ -
      base_url: ${COMPTOIR_TELEGRAM_API_URL}       # optional, default https://api.telegram.org/bot

and, once the server is reachable over HTTPS:

    python -m bot.rasa.channels.telegram set-webhook https://bot.example.org

`TelegramInput` and `TelegramOutput` live in `connector` and are loaded on first access, so that
the command line (`__main__`, `cli`) does not pay for importing Rasa.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TelegramInput", "TelegramOutput"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.rasa.channels.telegram import connector

        return getattr(connector, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
