"""The outbox's worker, started in the back office's lifespan: sends queued replies with
smtplib, retries with back-off, and deletes rows whose link has expired. Its state is in the
database only (outbox.py), so a restart loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import smtplib
import ssl
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any, TypeVar

from bot.core.email_address import mask
from bot.settings import Settings

from . import links, outbox
from .message import compose

log = logging.getLogger(__name__)
SWEEP_EVERY = timedelta(hours=1)
T = TypeVar("T")


def enabled(settings: Settings) -> bool:
    """No SMTP server configured: nothing is queued or sent, and the bot offers no e-mail."""
    return bool(settings.smtp_host.strip())


async def _db(state: Any, work: Callable[..., T], *args: Any) -> T:
    def run() -> T:
        with state.sessions() as db:
            return work(db, *args)

    return await asyncio.to_thread(run)


def deliver(settings: Settings, mail: EmailMessage) -> None:
    """One SMTP conversation (STARTTLS and login when configured). Raises on failure."""
    with smtplib.SMTP(
        settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
    ) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(mail)


def _permanent(error: Exception) -> bool:
    """The server refused for good (5xx: unknown address, rejected): no use retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


async def send_one(state: Any, row_id: int) -> str:
    """Claim one row, compose its mail, send it. Returns "sent", "failed", "failed:gave_up"
    or "taken" (another worker has it)."""
    settings: Settings = state.settings
    now = state.clock()
    row = await _db(state, outbox.claim, row_id, now)
    if row is None:
        return "taken"
    try:
        mail = compose(row, settings, links.link(settings, row.id, row.link_expires_at), now)
        await asyncio.to_thread(deliver, settings, mail)
    except Exception as error:  # noqa: BLE001 - one bad mail must not stop the others
        reason = f"{type(error).__name__}: {error}"
        again = await _db(
            state,
            outbox.failed,
            row,
            now,
            reason,
            settings.mail_retry_seconds,
            settings.mail_max_attempts,
            _permanent(error),
        )
        # ids only: the address and the text stay out of the logs
        log.warning("reply mail %s failed (try %s): %s", row.id, row.attempts, type(error).__name__)
        return "failed" if again else "failed:gave_up"
    await _db(state, outbox.sent, row, now)
    log.info("reply mail %s sent case=%s", row.id, row.handoff_id)
    return "sent"


async def send_due(state: Any) -> Counter[str]:
    """One pass: the hourly sweep, then every mail due now."""
    now = state.clock()
    last = getattr(state, "mail_swept_at", None)
    if last is None or now - last >= SWEEP_EVERY or now < last:
        await _db(state, outbox.sweep, now)
        state.mail_swept_at = now
    outcomes: Counter[str] = Counter()
    for row_id in await _db(state, outbox.due, now):
        outcomes[await send_one(state, row_id)] += 1
    return outcomes


def wake(state: Any) -> None:
    """Make the worker look at the outbox now (a reply was just queued)."""
    event = getattr(state, "mail_wake", None)
    if event is not None:
        event.set()


async def run_worker(state: Any) -> None:
    every = state.settings.mail_worker_seconds
    while True:
        try:
            await send_due(state)
        except Exception:  # noqa: BLE001 - the worker must outlive one failed pass
            log.exception("mail worker pass failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(state.mail_wake.wait(), every)
        state.mail_wake.clear()


def start(state: Any) -> list[asyncio.Task[None]]:
    """The worker (none when the feature is off or mail_worker_seconds is 0)."""
    if not enabled(state.settings) or state.settings.mail_worker_seconds <= 0:
        return []
    state.mail_wake = asyncio.Event()
    return [asyncio.create_task(run_worker(state))]


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


def after_reply(state: Any, db: Any, case: Any, agent_name: str, text: str) -> bool:
    """The agent's reply just reached the shopper through Rasa: queue it for the case's
    address too, when the shopper gave one and the feature is on. True when queued."""
    if not enabled(state.settings):
        return False
    try:
        queued = outbox.queue_reply(db, case, agent_name, text, state.clock(), state.settings)
    except Exception:  # noqa: BLE001 - the reply reached the chat: that must not look failed
        db.rollback()
        log.exception("reply mail not queued case=%s", case.id)
        return False
    if queued is not None:
        wake(state)
    return queued is not None


def masked_address(db: Any, case: Any) -> str | None:
    """ "j…@exemple.fr" when this case's replies are also mailed (the case page says so)."""
    contact = outbox.contact_of(db, case.id)
    return mask(contact.email) if contact is not None else None
