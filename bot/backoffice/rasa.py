"""The back office's calls to Rasa's HTTP API (tracker, trigger_intent), and the transcript.

The token is only ever sent from here, server-side; it never reaches a page.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from bot.core.handoff import AGENT_REPLY_INTENT, RESOLVED_INTENT, RETURNED_INTENT, is_external

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class RasaError(Exception):
    """Rasa could not be reached or answered with an error: nothing was sent to the shopper."""


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout: httpx.Timeout = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _url(self, conversation_id: str, tail: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{tail}"

    async def _call(self, method: str, url: str, conversation_id: str, **kwargs: Any) -> Any:
        started = time.perf_counter()
        params = {**kwargs.pop("params", {}), "token": self.token}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.request(method, url, params=params, **kwargs)
        except httpx.HTTPError as error:
            log.error("rasa unreachable conversation=%s error=%s", conversation_id, error)
            raise RasaError(f"Rasa injoignable ({type(error).__name__})") from None
        latency = (time.perf_counter() - started) * 1000
        log.info(
            "rasa %s conversation=%s status=%s latency_ms=%.0f",
            url.rsplit("/", 1)[-1],
            conversation_id,
            response.status_code,
            latency,
        )
        if response.status_code >= 400:
            raise RasaError(f"Rasa a répondu {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise RasaError("réponse illisible de Rasa") from None

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        data = await self._call("GET", self._url(conversation_id, "tracker"), conversation_id)
        if not isinstance(data, dict):
            raise RasaError("réponse illisible de Rasa")
        return data

    async def parse(self, text: str) -> dict[str, Any]:
        """Rasa's own reading of a text (POST /model/parse): intent, entities, mood."""
        data = await self._call("POST", f"{self.base_url}/model/parse", "-", json={"text": text})
        if not isinstance(data, dict):
            raise RasaError("réponse illisible de Rasa")
        return data

    async def set_slot(self, conversation_id: str, name: str, value: Any) -> None:
        """Append a slot event to the conversation (e.g. a reopened case: a person has it)."""
        await self._call(
            "POST",
            self._url(conversation_id, "tracker/events"),
            conversation_id,
            json=[{"event": "slot", "name": name, "value": value}],
        )

    async def trigger_intent(
        self, conversation_id: str, name: str, entities: dict[str, str] | None = None
    ) -> None:
        await self._call(
            "POST",
            self._url(conversation_id, "trigger_intent"),
            conversation_id,
            params={"output_channel": "latest"},
            json={"name": name, "entities": entities or {}},
        )


@dataclass(frozen=True)
class TranscriptTurn:
    sender: str  # shopper | bot | agent | system
    text: str
    author: str | None = None
    timestamp: float | None = None
    buttons: tuple[str, ...] = ()


SYSTEM_NOTES = {
    RESOLVED_INTENT: "Cas résolu par un conseiller",
    RETURNED_INTENT: "Conversation rendue au bot",
}


def _entity(event: dict[str, Any], name: str) -> str | None:
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        if entity.get("entity") == name:
            return str(entity.get("value") or "")
    return None


def transcript(tracker: dict[str, Any]) -> list[TranscriptTurn]:
    """Shopper, bot, agent and system turns of a Rasa tracker, in order.

    A user event with intent agent_reply (made by trigger_intent) is the agent's turn; the next
    bot event that contains its text (the relay, possibly prefixed with the agent's name) is
    skipped. A button payload
    ("/affirm") is shown as the shopper's choice: the button's title when the bot offered it,
    else the payload's intent name.
    """
    turns: list[TranscriptTurn] = []
    relayed: str | None = None
    buttons: dict[str, str] = {}
    for event in tracker.get("events") or []:
        kind = event.get("event")
        stamp = event.get("timestamp")
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            text = str(event.get("text") or "")
            if intent == AGENT_REPLY_INTENT:
                relayed = _entity(event, "agent_text") or ""
                turns.append(TranscriptTurn("agent", relayed, _entity(event, "agent_name"), stamp))
            elif intent in SYSTEM_NOTES:
                relayed = None
                turns.append(TranscriptTurn("system", SYSTEM_NOTES[intent], None, stamp))
            elif is_external(text):
                relayed = None  # other proactive notices: not something the shopper said
            elif text.startswith("/"):
                relayed = None
                choice = buttons.get(text) or text[1:].split("{", 1)[0]
                turns.append(TranscriptTurn("shopper", f"[choix] {choice}", None, stamp))
            else:
                relayed = None
                turns.append(TranscriptTurn("shopper", text, None, stamp))
        elif kind == "bot":
            text = str(event.get("text") or "")
            if relayed is not None and relayed.strip() and relayed.strip() in text:
                relayed = None
                continue
            offered = (event.get("data") or {}).get("buttons") or []
            for button in offered:
                if isinstance(button, dict) and button.get("payload"):
                    buttons[str(button["payload"])] = str(button.get("title") or "")
            titles = tuple(str(b.get("title") or "") for b in offered if isinstance(b, dict))
            if text or titles:
                turns.append(TranscriptTurn("bot", text, None, stamp, titles))
    return turns
