"""Telegram alert of a new hand-off to the agents' group, sent in the background."""

from __future__ import annotations

import asyncio
import logging

from bot.core.handoff import reason_label
from bot.settings import Settings

from .db import Handoff

log = logging.getLogger(__name__)
_tasks: set[asyncio.Task[None]] = set()


def alert_text(handoff: Handoff, settings: Settings) -> str:
    request = str((handoff.summary or {}).get("request") or "—")
    link = f"{str(settings.backoffice_public_url).rstrip('/')}/inbox/{handoff.id}"
    return (
        f"Nouveau transfert (priorité {handoff.priority}) : "
        f"{reason_label(handoff.reason)}\n"
        f"Demande : {request[:300]}\n"
        f"Canal : {handoff.channel}\n{link}"
    )


async def send_alert(text: str, settings: Settings) -> None:
    from telegram import Bot

    try:
        async with Bot(
            settings.alert_telegram_token, base_url=settings.alert_telegram_base_url
        ) as bot:
            await asyncio.wait_for(
                bot.send_message(chat_id=settings.alert_telegram_chat_id, text=text), 20
            )
    except Exception:  # noqa: BLE001 - an alert must never break a hand-off
        log.exception("telegram alert failed chat=%s", settings.alert_telegram_chat_id)


def schedule_alert(handoff: Handoff, settings: Settings) -> None:
    """Fire and forget (the POST that created the hand-off does not wait)."""
    if not (settings.alert_telegram_token and settings.alert_telegram_chat_id):
        return
    task = asyncio.get_running_loop().create_task(
        send_alert(alert_text(handoff, settings), settings)
    )
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
