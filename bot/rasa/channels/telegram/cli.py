"""Command line of the Telegram connector: point the bot's webhook at this server.

    python -m bot.rasa.channels.telegram set-webhook https://bot.example.org \
        [--drop-pending-updates]
    python -m bot.rasa.channels.telegram webhook-info
    python -m bot.rasa.channels.telegram delete-webhook

Reads COMPTOIR_TELEGRAM_TOKEN (BotFather's token), COMPTOIR_TELEGRAM_SECRET (the secret Telegram
sends back in every webhook call) and, for tests or a local Bot API server,
COMPTOIR_TELEGRAM_API_URL. Runs in the Rasa environment (.venv-rasa), where python-telegram-bot
is installed. The token is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import List

from telegram.error import InvalidToken, TelegramError

from bot.core import channels
from bot.rasa.channels.telegram.api import ALLOWED_UPDATES, make_bot, webhook_url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.rasa.channels.telegram",
        description="Manage the Telegram webhook of Comptoir's bot. Reads the token from "
        "COMPTOIR_TELEGRAM_TOKEN and the secret from COMPTOIR_TELEGRAM_SECRET.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser(
        "set-webhook",
        help="make Telegram send updates to PUBLIC_URL",
        description="Register PUBLIC_URL + /webhooks/telegram/webhook, with the "
        "secret token, for messages and button presses only.",
    )
    p.add_argument(
        "public_url",
        metavar="PUBLIC_URL",
        help="public HTTPS address of the Rasa server, e.g. https://bot.example.org",
    )
    p.add_argument(
        "--drop-pending-updates",
        action="store_true",
        help="forget the updates Telegram kept while no webhook answered",
    )
    sub.add_parser("webhook-info", help="show the webhook Telegram knows and its last error")
    p = sub.add_parser("delete-webhook", help="stop sending updates to the webhook")
    p.add_argument("--drop-pending-updates", action="store_true")
    return parser


async def _run(args: argparse.Namespace, token: str, secret: str, base_url: str | None) -> int:
    bot = make_bot(token, base_url)
    async with bot:  # getMe: checks the token
        print(f"Bot @{bot.username} (id {bot.id})")
        if args.command == "set-webhook":
            url = webhook_url(args.public_url)
            await bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=args.drop_pending_updates,
            )
            print(f"Webhook set: {url}")
        elif args.command == "delete-webhook":
            await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
            print("Webhook deleted")
        info = await bot.get_webhook_info()
        print(f"Telegram sends updates to: {info.url or '(no webhook)'}")
        print(f"Pending updates: {info.pending_update_count}")
        if info.last_error_message:
            print(f"Last delivery error: {info.last_error_message} ({info.last_error_date})")
    return 0


def main(argv: List[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    token = os.environ.get("COMPTOIR_TELEGRAM_TOKEN", "").strip()
    secret = os.environ.get("COMPTOIR_TELEGRAM_SECRET", "").strip()
    base_url = os.environ.get("COMPTOIR_TELEGRAM_API_URL", "").strip() or None
    if not token:
        print("COMPTOIR_TELEGRAM_TOKEN is not set (the token BotFather gave you)", file=sys.stderr)
        return 2
    if args.command == "set-webhook":
        if not channels.TELEGRAM_SECRET_RE.match(secret):
            print(
                "COMPTOIR_TELEGRAM_SECRET must be set to 1-256 characters among A-Z a-z 0-9 _ - "
                "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')",
                file=sys.stderr,
            )
            return 2
        try:
            webhook_url(args.public_url)
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
    try:
        return asyncio.run(_run(args, token, secret, base_url))
    except InvalidToken:
        print("Telegram refused the token in COMPTOIR_TELEGRAM_TOKEN", file=sys.stderr)
    except TelegramError as error:
        print(f"Telegram answered: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
