"""Scripted conversations, typed as shoppers type, replayed against the real stack over REST.

A file per flow (tests/conversations/*.yml):

    conversations:
      - name: suivi avec le numéro et l'e-mail dans le premier message
        order: shipped                  # optional: a demo order of this status, its own
                                        # ("returnable": delivered, with something to return)
        turns:
          - user: "bonjour, ma commande {number} est où ? mon mail {email}"
            action: action_track_order  # must run this turn (a list: all of them); a
                                        # response (utter_…) counts when it was said
            not_action: action_human_handoff   # must not (a list: none of them)
            says: ["bonjour", "{number}"]      # each must be in the replies of this turn
            not_says: ["désolé"]                # none may be
            buttons: ["Suivre ma commande"]     # offered this turn (titles, in part)
            slots: {verified_order: "{number}"} # after the turn (null: empty)
            kb: delivery_options                # the knowledge base answered (or offered its
                                                # closest questions) on this topic this turn
            silent: true                        # the bot says nothing of its own
        after:                                  # the shop, once the conversation is over
          status: cancelled                     # the order's status
          returns: 1                            # returns created during the conversation
          return_reason: "trop petit"           # in the latest return's reason
          claims: 1                             # claims opened during the conversation
          claim_kind: damaged                   # the latest claim's kind
          address: "12 rue des Lilas"           # in the order's delivery address

Text comparisons ignore case and accents. `{number}`, `{email}`, `{postcode}`,
`{first_name}`, `{item1}`, `{item2}` (names of the order's articles, those that can still be
returned first) come from the order.
Every turn is also held to the rules of `tests.stack.check_turn` (at most 3 messages, none
twice) and must never say what `NEVER_SAYS` lists.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.demo_shop import db as shop_db
from tests.stack import Stack

HERE = Path(__file__).resolve().parent
TURN_KEYS = {"user", "action", "not_action", "says", "not_says", "buttons", "slots", "silent", "kb"}
AFTER_KEYS = {"status", "returns", "return_reason", "claims", "claim_kind", "address"}
# Dead ends the assistant must never reach, whatever the flow.
NEVER_SAYS = ("je n'ai pas trouve l'information attendue",)


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("\u2019", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass
class Conversation:
    file: str
    name: str
    turns: list[dict[str, Any]]
    order: str | None = None
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


def load(folder: Path = HERE) -> list[Conversation]:
    conversations = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("conversations") or []:
            conversation = Conversation(
                path.stem, item["name"], item["turns"], item.get("order"), item.get("after") or {}
            )
            for turn in conversation.turns:
                unknown = set(turn) - TURN_KEYS
                assert not unknown, f"{conversation.id}: unknown turn keys {unknown}"
                assert isinstance(turn.get("user"), str), f"{conversation.id}: a turn needs user"
            unknown = set(conversation.after) - AFTER_KEYS
            assert not unknown, f"{conversation.id}: unknown `after` keys {unknown}"
            conversations.append(conversation)
    return conversations


class OrderPool:
    """Demo orders handed out by status, each to one conversation only (flows change them)."""

    def __init__(self, orders: list[dict[str, Any]]) -> None:
        self.free: dict[str, list[dict[str, Any]]] = defaultdict(list)

        # Delivered orders with nothing left to return go first to plain `delivered`
        # conversations (claims...), keeping the others for the `returnable` ones.
        def returnable(order: dict[str, Any]) -> int:
            return sum(bool(item.get("returnable")) for item in order.get("items") or [])

        for order in sorted(orders, key=returnable):
            self.free[order["status"]].append(order)

    def take(self, status: str) -> dict[str, Any]:
        """`returnable`: a delivered order with at least one article that can still go back."""
        if status == "returnable":
            found = next(
                (
                    o
                    for o in reversed(self.free["delivered"])
                    if any(item.get("returnable") for item in o.get("items") or [])
                ),
                None,
            )
            assert found, "no returnable demo order left"
            self.free["delivered"].remove(found)
            return found
        assert self.free[status], f"no demo order with status {status!r} left"
        return self.free[status].pop(0)


def variables(order: dict[str, Any] | None) -> dict[str, str]:
    if not order:
        return {}
    listed = sorted(order.get("items") or [], key=lambda item: not item.get("returnable"))
    items = [str(item.get("name")) for item in listed]  # returnable articles first
    return {
        "number": order["number"],
        "email": order["email"],
        "postcode": order["postcode"],
        "first_name": order.get("first_name") or "",
        "item1": items[0] if items else "",
        "item2": items[1] if len(items) > 1 else "",
    }


def fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, text in names.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, list):
        return [fill(item, names) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, names) for key, item in value.items()}
    return value


def as_list(value: Any) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def turn_events(tracker: dict[str, Any], user_index: int) -> list[dict[str, Any]]:
    """The events of the `user_index`-th user message (0-based) up to the next one."""
    events, seen = [], -1
    for event in tracker["events"]:
        if event["event"] == "user":
            seen += 1
            if seen > user_index:
                break
        if seen == user_index:
            events.append(event)
    return events


def check_turn(
    conversation: Conversation,
    number: int,
    turn: dict[str, Any],
    replies: list[dict[str, Any]],
    tracker: dict[str, Any],
    user_index: int,
) -> None:
    said = "\n".join(reply.get("text") or "" for reply in replies)
    folded = fold(said)
    events = turn_events(tracker, user_index)
    ran = [
        e.get("name") for e in events if e["event"] in ("action", "active_loop") and e.get("name")
    ]
    # responses a custom action chose from domain.yml count as said by their name
    ran += [
        (e.get("metadata") or {}).get("utter_action")
        for e in events
        if e["event"] == "bot" and (e.get("metadata") or {}).get("utter_action")
    ]
    intent = next(
        ((e.get("parse_data") or {}).get("intent") or {}).get("name")
        for e in events
        if e["event"] == "user"
    )
    where = (
        f"{conversation.id}, turn {number} ({turn['user']!r}, read as {intent}, "
        f"ran {[a for a in ran if a != 'action_listen']})"
    )
    for action in as_list(turn.get("action")):
        assert action in ran, f"{where}: {action} did not run; bot said:\n{said}"
    for action in as_list(turn.get("not_action")):
        assert action not in ran, f"{where}: {action} ran; bot said:\n{said}"
    for text in as_list(turn.get("says")):
        assert fold(str(text)) in folded, f"{where}: missing {text!r} in:\n{said}"
    for text in [*as_list(turn.get("not_says")), *NEVER_SAYS]:
        assert fold(str(text)) not in folded, f"{where}: should not say {text!r}:\n{said}"
    titles = [
        fold(str(button.get("title", "")))
        for reply in replies
        for button in reply.get("buttons") or []
    ]
    for title in as_list(turn.get("buttons")):
        assert any(fold(str(title)) in t for t in titles), (
            f"{where}: no button {title!r} among {titles}"
        )
    if turn.get("kb"):
        topics = [
            e.get("value") for e in events if e["event"] == "slot" and e.get("name") == "kb_topic"
        ]
        assert turn["kb"] in topics, (
            f"{where}: no knowledge-base answer on {turn['kb']} (topics {topics}); bot "
            f"said:\n{said}"
        )
    if turn.get("silent"):
        assert not replies, f"{where}: the bot spoke:\n{said}"
    for slot, expected in (turn.get("slots") or {}).items():
        actual = tracker["slots"].get(slot)
        assert actual == expected, (
            f"{where}: slot {slot} is {actual!r}, not {expected!r}; bot said:\n{said}"
        )


@contextmanager
def order_row(stack: Stack, number: str) -> Iterator[shop_db.OrderRow]:
    """The order as the demo shop's database holds it now."""
    engine = create_engine(stack.env["COMPTOIR_SHOP_DB_URL"])
    try:
        with Session(engine) as session:
            order = session.scalar(
                select(shop_db.OrderRow).where(shop_db.OrderRow.number == number)
            )
            assert order is not None
            yield order
    finally:
        engine.dispose()


def shop_counts(stack: Stack, number: str) -> tuple[int, int]:
    """(returns, claims) the shop holds for the order, before the conversation starts."""
    with order_row(stack, number) as order:
        return len(order.returns), len(order.claims)


def check_shop(
    conversation: Conversation,
    stack: Stack,
    number: str,
    after: dict[str, Any],
    before: tuple[int, int],
) -> None:
    with order_row(stack, number) as order:
        where = f"{conversation.id}: order {number}"
        if "status" in after:
            assert order.status == after["status"], f"{where} is {order.status}"
        returns = sorted(order.returns, key=lambda r: r.id)
        if "returns" in after:
            new = len(returns) - before[0]
            assert new == after["returns"], f"{where}: {new} returns created"
        if "return_reason" in after:
            assert returns and fold(after["return_reason"]) in fold(returns[-1].reason), (
                f"{where}: return reason {returns[-1].reason if returns else None!r}"
            )
        claims = sorted(order.claims, key=lambda c: c.id)
        if "claims" in after:
            new = len(claims) - before[1]
            assert new == after["claims"], f"{where}: {new} claims opened"
        if "claim_kind" in after:
            assert claims and claims[-1].kind == after["claim_kind"], (
                f"{where}: claim {claims[-1].kind if claims else None!r}"
            )
        if "address" in after:
            address = order.shipping_address
            line = f"{address.line1} {address.postcode} {address.city}"
            assert fold(after["address"]) in fold(line), f"{where} delivers to {line!r}"


def run(
    conversation: Conversation,
    stack: Stack,
    pool: OrderPool,
    check_after: Callable[[Conversation, dict[str, Any], dict[str, Any]], None] | None = None,
) -> None:
    """Replay the conversation; then check the shop: the demo shop's database, or through
    `check_after(conversation, order, after)` where another shop plays it."""
    order = pool.take(conversation.order) if conversation.order else None
    names = variables(order)
    sender = f"conv-{uuid.uuid4().hex[:12]}"
    before = shop_counts(stack, order["number"]) if order and check_after is None else (0, 0)
    for number, raw in enumerate(conversation.turns, start=1):
        turn = fill(raw, names)
        replies = stack.say(sender, turn["user"])
        tracker = stack.tracker(sender)
        check_turn(conversation, number, turn, replies, tracker, number - 1)
    if conversation.after:
        assert order, f"{conversation.id}: `after` needs an `order`"
        after = fill(conversation.after, names)
        if check_after is not None:
            check_after(conversation, order, after)
        else:
            check_shop(conversation, stack, order["number"], after, before)
