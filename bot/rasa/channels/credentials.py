"""Write the Rasa server's credentials file: `credentials.yml` plus the chat channels whose
environment variables are set.

    python -m bot.rasa.channels.credentials [--base credentials.yml] [--out var/credentials.yml]

Rasa replaces `${VAR}` in credentials but refuses to start when VAR is unset, so Telegram and
Messenger cannot sit in `credentials.yml` for everyone. This script adds each one only when it
is configured in the environment (run from the Procfile, it sees what honcho read from `.env`):

- Telegram, when COMPTOIR_TELEGRAM_TOKEN is set; needs COMPTOIR_TELEGRAM_SECRET; optional
  COMPTOIR_TELEGRAM_API_URL;
- Messenger, when COMPTOIR_MESSENGER_PAGE_TOKEN is set; needs COMPTOIR_MESSENGER_APP_SECRET and
  COMPTOIR_MESSENGER_VERIFY_TOKEN; optional COMPTOIR_MESSENGER_GRAPH_URL and
  COMPTOIR_MESSENGER_API_VERSION.

The file it writes holds `${VAR}` placeholders, never a token: Rasa reads the values from its
environment. A channel half configured is an error (exit status 2), not a silent skip.
Standard library only: it runs with either virtualenv's Python.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Dict, List, Mapping, NamedTuple, Tuple

from bot.core.channels import TELEGRAM_SECRET_RE

ROOT = Path(__file__).resolve().parents[3]


class Channel(NamedTuple):
    label: str
    key: str  # the class Rasa loads
    webhook: str
    enabled_by: str
    required: Dict[str, str]  # credentials field -> variable
    optional: Dict[str, str]


CHANNELS = (
    Channel(
        "Telegram",
        "bot.rasa.channels.telegram.TelegramInput",
        "/webhooks/telegram/webhook",
        "COMPTOIR_TELEGRAM_TOKEN",
        {"access_token": "COMPTOIR_TELEGRAM_TOKEN", "secret_token": "COMPTOIR_TELEGRAM_SECRET"},
        {"base_url": "COMPTOIR_TELEGRAM_API_URL"},
    ),
    Channel(
        "Messenger",
        "bot.rasa.channels.messenger.MessengerInput",
        "/webhooks/facebook/webhook",
        "COMPTOIR_MESSENGER_PAGE_TOKEN",
        {
            "verify": "COMPTOIR_MESSENGER_VERIFY_TOKEN",
            "secret": "COMPTOIR_MESSENGER_APP_SECRET",
            "page-access-token": "COMPTOIR_MESSENGER_PAGE_TOKEN",
        },
        {
            "graph_url": "COMPTOIR_MESSENGER_GRAPH_URL",
            "api_version": "COMPTOIR_MESSENGER_API_VERSION",
        },
    ),
)


def channel_blocks(env: Mapping[str, str]) -> Tuple[List[str], List[str], List[str]]:
    """(YAML blocks to append, one status line per channel, errors)."""
    blocks, status, errors = [], [], []
    for channel in CHANNELS:
        if not env.get(channel.enabled_by, "").strip():
            status.append(f"{channel.label}: off (set {channel.enabled_by} to enable it)")
            continue
        missing = [var for var in channel.required.values() if not env.get(var, "").strip()]
        if missing:
            errors.append(
                f"{channel.label}: {channel.enabled_by} is set but "
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not"
            )
            continue
        if channel.label == "Telegram" and not TELEGRAM_SECRET_RE.match(
            env["COMPTOIR_TELEGRAM_SECRET"].strip()
        ):
            errors.append(
                "Telegram: COMPTOIR_TELEGRAM_SECRET must be 1-256 characters among A-Z a-z 0-9 _ -"
            )
            continue
        lines = [f"{channel.key}:"]
        for field, var in channel.required.items():
            lines.append(f"  {field}: ${{{var}}}")
        for field, var in channel.optional.items():
            if env.get(var, "").strip():
                lines.append(f"  {field}: ${{{var}}}")
        blocks.append("\n".join(lines) + "\n")
        status.append(f"{channel.label}: on (webhook {channel.webhook})")
    return blocks, status, errors


def render(base: str, env: Mapping[str, str]) -> Tuple[str, List[str], List[str]]:
    blocks, status, errors = channel_blocks(env)
    text = base if base.endswith("\n") or not base else base + "\n"
    if blocks:
        text += "\n# Added by `python -m bot.rasa.channels.credentials` from the environment.\n"
        text += "\n".join(blocks)
    return text, status, errors


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.rasa.channels.credentials",
        description="Write Rasa's credentials file: the base file plus the Telegram and "
        "Messenger channels whose COMPTOIR_* variables are set in the environment.",
    )
    parser.add_argument(
        "--base",
        type=Path,
        default=ROOT / "credentials.yml",
        help="channels every run has (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "var" / "credentials.yml",
        help="file to write, for `rasa run --credentials` (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    text, status, errors = render(args.base.read_text(encoding="utf-8"), os.environ)
    for line in errors:
        print(f"credentials: {line}", file=sys.stderr)
    if errors:
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(f".{args.out.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(args.out)
    for line in status:
        print(f"credentials: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
