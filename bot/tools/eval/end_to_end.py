"""End-to-end routing: what the product really does with each message.

Each message is sent over REST as the first message of a fresh conversation to a real stack
(demo shop, action server, Rasa: the Procfile's commands, as `make run` starts them), and its
route is read from what happened in the tracker — the forms and actions that ran, the
knowledge-base topic the bot answered or offered, a hand-off — instead of re-deriving it from
the NLU parse (routing.py). Pure mapping here; the stack comes from bot.tools.bench.stack.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from bot.core.handoff import ACTIVE_SLOT, HANDOFF_ACTION
from bot.core.requests import REQUEST_FORMS
from bot.core.routes import PRODUCT_ROUTE
from bot.core.slots import KB_TOPIC, PRODUCT_SHOWN

from .routing import HANDOFF, OTHER_PREFIX

# What a form or an action means, as a route (domain.yml, data/rules/).
FORM_ROUTES = {form: route for route, form in REQUEST_FORMS.items()}
ACTION_ROUTES = {
    "action_track_order": "track_order",
    "action_delivery_times": "delivery_time",
    "action_cancel_order": "cancel_order",
    "action_create_return": "return_item",
    "action_refund_status": "refund_status",
    "action_create_claim": "problem_report",
    "action_change_address": "change_order",
}
SMALL_TALK_ROUTES = {
    "utter_greet": "greet",
    "utter_goodbye": "goodbye",
    "utter_thank": "thank",
    "utter_affirm_nothing_pending": "affirm",
    "utter_deny_nothing_pending": "deny",
}
# Answered with the request's own rule ("je peux annuler ?"): that request's capability.
ANSWERED_BY_ITS_RULE = "action_answer_possibility"
# The catalogue answered (actions/products.py): a product shown, or the product action said it
# does not sell it. Both are product answers; the knowledge base's answer keeps its topic.
PRODUCT_ACTION = "action_answer_product"


def first_turn(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events from the first user message up to the second one."""
    turn: list[Mapping[str, Any]] = []
    users = 0
    for event in events:
        if event.get("event") == "user":
            users += 1
            if users > 1:
                break
        if users == 1:
            turn.append(event)
    return turn


def route_of_turn(events: Sequence[Mapping[str, Any]]) -> str:
    """The route a turn took. A hand-off wins, then a request (form or action), then a product
    shown, the knowledge base's topic, the catalogue's "not found", then small talk; anything
    else is `other:<last action>`."""
    ran = [
        str(e.get("name"))
        for e in events
        if e.get("event") in ("action", "active_loop") and e.get("name")
    ]
    # responses a custom action chose from domain.yml (Rasa names them in the bot event)
    said = [
        str((e.get("metadata") or {}).get("utter_action"))
        for e in events
        if e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action")
    ]
    slots = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
    if HANDOFF_ACTION in ran or slots.get(ACTIVE_SLOT) is True:
        return HANDOFF
    for name in ran:
        if name in FORM_ROUTES:
            return FORM_ROUTES[name]
        if name in ACTION_ROUTES:
            return ACTION_ROUTES[name]
        if name == ANSWERED_BY_ITS_RULE and not slots.get(KB_TOPIC):
            intent = next(
                ((e.get("parse_data") or {}).get("intent") or {}).get("name")
                for e in events
                if e.get("event") == "user"
            )
            return str(intent)
    if slots.get(PRODUCT_SHOWN):
        return PRODUCT_ROUTE
    if slots.get(KB_TOPIC):
        return f"faq:{slots[KB_TOPIC]}"
    if PRODUCT_ACTION in ran:
        return PRODUCT_ROUTE
    for name in [*ran, *said]:
        if name in SMALL_TALK_ROUTES:
            return SMALL_TALK_ROUTES[name]
    acted = [name for name in ran if name not in ("action_listen", "action_session_start")]
    return OTHER_PREFIX + (acted[-1] if acted else "nothing")


class Conversations:
    """Sends first messages over REST and reads the tracker back."""

    def __init__(self, rasa_url: str, token: str) -> None:
        self.url, self.token = rasa_url.rstrip("/"), token
        self.session = requests.Session()
        self.run = uuid.uuid4().hex[:8]

    def route(self, text: str, number: int) -> str:
        return self.ask(text, number)[0]

    def ask(self, text: str, number: int, kind: str = "") -> tuple[str, list[dict[str, Any]]]:
        """The route of `text` as a first message, and the bot's messages (REST channel)."""
        sender = f"eval-{self.run}{kind}-{number}"
        response = self.session.post(
            f"{self.url}/webhooks/rest/webhook",
            timeout=60,
            json={"sender": sender, "message": text},
        )
        response.raise_for_status()
        tracker = self.session.get(
            f"{self.url}/conversations/{sender}/tracker", timeout=30, params={"token": self.token}
        )
        tracker.raise_for_status()
        return route_of_turn(first_turn(tracker.json()["events"])), list(response.json() or [])


@contextmanager
def running_stack(log: Callable[[str], None]) -> Iterator[Conversations]:
    """A throw-away stack (its own shop database, tracker and throttle), stopped on exit."""
    from bot.tools.bench.stack import Stack
    from bot.tools.bench.variants import comptoir

    with tempfile.TemporaryDirectory(prefix="eval-e2e-") as tmp:
        stack = Stack(comptoir(), Path(tmp), log)
        try:
            stack.start()
            stack.wait_until_ready()
            yield Conversations(stack.rasa_url, stack.token)
        finally:
            stack.stop()
