"""Where delays come from: the deployment's shop client (built lazily from the settings, or
injected by tests as `app.state.shop_client`), through a signed webhook or by polling."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.clients.shop.delays import DelayEvent, PolledDelays, WebhookDelays
from bot.clients.shop.factory import shop_client

log = logging.getLogger(__name__)


class NoWebhooks(Exception):
    """This deployment's shop sends no delay webhooks (PrestaShop, or no secret configured)."""


def client_of(state: Any) -> Any:
    """The shop client of this back office, made on first use (the platform's module is only
    imported when notices need it)."""
    if getattr(state, "shop_client", None) is None:
        state.shop_client = shop_client(state.settings)
    return state.shop_client


def read_webhook(state: Any, body: bytes, headers: Mapping[str, str]) -> DelayEvent | None:
    """The delay a webhook delivery announces (None: none). Raises BadSignature, NoWebhooks.
    Blocking (may call the shop's API): run it in a thread."""
    client = client_of(state)
    secret = state.settings.webhook_secret()
    if not isinstance(client, WebhookDelays) or not secret:
        raise NoWebhooks()
    return client.delay_from_webhook(body, headers, secret)


def poller_of(state: Any) -> PolledDelays | None:
    """The shop client when it must be polled for delays, else None."""
    try:
        client = client_of(state)
    except Exception:  # noqa: BLE001 - a misconfigured platform must not stop the back office
        log.exception("shop client unavailable: delays are not polled")
        return None
    return client if isinstance(client, PolledDelays) else None
