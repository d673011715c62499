"""What both the connector and the command line need: a Bot with timeouts, and the webhook's
address. python-telegram-bot only (no Rasa, no Sanic), so that the command line starts fast."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx
from telegram import Bot
from telegram.request import HTTPXRequest

# httpx logs every request URL at INFO, and Bot API URLs contain the bot's token.
for _noisy in ("httpx", "httpcore"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
WEBHOOK_PATH = "/webhooks/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query"]


def make_bot(token: str, base_url: str | None = None) -> Bot:
    """A Bot with bounded timeouts; connection failures (nothing sent yet) are retried twice.
    `base_url` points it at another Bot API server (a local one, or a test stand-in)."""
    request = HTTPXRequest(
        connect_timeout=5.0,
        read_timeout=10.0,
        write_timeout=10.0,
        pool_timeout=3.0,
        httpx_kwargs={
            "transport": httpx.AsyncHTTPTransport(
                retries=2, limits=httpx.Limits(max_connections=64)
            )
        },
    )
    return Bot(token, base_url=base_url or DEFAULT_BASE_URL, request=request)


def webhook_url(public_url: str) -> str:
    """`https://bot.example.org` -> `https://bot.example.org/webhooks/telegram/webhook`."""
    parts = urlsplit(public_url.strip())
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"Telegram only calls public HTTPS URLs, not {public_url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith(WEBHOOK_PATH):
        path += WEBHOOK_PATH
    return f"https://{parts.netloc}{path}"
