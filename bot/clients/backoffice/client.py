"""The action server's side of the back office's API: register a hand-off, relay a message,
rate; follow an order for delay notices, or stop them.

Blocking `requests` calls with short timeouts; actions run them off the event loop. Any
failure raises `BackOfficeUnavailable`, so that the bot can fall back to giving the team's
contact details instead of promising a person who will never see the conversation.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import requests

from bot.clients.backoffice.models import HandoffRequest, HandoffTicket, Rating, ShopperMessage
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)


class BackOfficeUnavailable(Exception):
    """The back office did not take the call (down, refused, or answered an error)."""


class HandoffNotOpen(BackOfficeUnavailable):
    """The conversation has no open hand-off in the back office (closed there meanwhile)."""


class BackOfficeClient:
    def __init__(self, base_url: str, token: str, timeout: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> BackOfficeClient:
        settings = settings or get_settings()
        return cls(str(settings.backoffice_url), settings.secret("service_token"))

    def _post(self, path: str, body: dict[str, Any]) -> requests.Response:
        try:
            response = self.session.post(self.base_url + path, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise BackOfficeUnavailable(str(error)) from error
        if response.status_code == 404:
            raise HandoffNotOpen(path)
        if response.status_code >= 400:
            raise BackOfficeUnavailable(
                f"{path}: HTTP {response.status_code} {response.text[:200]}"
            )
        return response

    def open_handoff(self, request: HandoffRequest) -> HandoffTicket:
        response = self._post("/api/handoffs", request.model_dump(mode="json"))
        return HandoffTicket.model_validate(response.json())

    def relay(self, conversation_id: str, text: str) -> str:
        """Pass the message on; returns the case's status ("waiting": no agent has it yet)."""
        response = self._post(
            f"/api/handoffs/{quote(conversation_id, safe='')}/messages",
            ShopperMessage(text=text[:4000]).model_dump(),
        )
        try:
            return str(response.json().get("status") or "")
        except ValueError:
            return ""

    def rate(self, conversation_id: str, rating: int) -> None:
        self._post(
            f"/api/handoffs/{quote(conversation_id, safe='')}/rating",
            Rating(rating=rating).model_dump(),
        )

    def watch(self, conversation_id: str, order_number: str, channel: str) -> None:
        """Follow this order for this conversation: a delay is announced on its channel."""
        self._post(
            "/api/watches",
            {"conversation_id": conversation_id, "order_number": order_number, "channel": channel},
        )

    def stop_notices(self, conversation_id: str) -> None:
        """The shopper asked for no more notices in this conversation."""
        self._post(f"/api/watches/{quote(conversation_id, safe='')}/stop", {})

    # After-hours replies by e-mail (bot/backoffice/routes/mail.py).
    def register_email(self, conversation_id: str, email: str) -> None:
        """The shopper agreed to receive this case's replies at this address too."""
        self._post(f"/api/handoffs/{quote(conversation_id, safe='')}/email", {"email": email})

    def resume(self, token: str) -> dict[str, Any]:
        """The conversation a mail's link reopens (HandoffNotOpen: the link is not valid)."""
        data = self._post("/api/reprise", {"token": token}).json()
        return data if isinstance(data, dict) else {}
