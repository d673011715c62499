"""A synthetic history for the dashboard: Rasa tracker events written the way Rasa 3.6's
SQLTrackerStore writes them (`events` rows with the event's JSON), plus the back office's
cases. The builders are shared by the dashboard's tests (small, hand-made histories whose
figures are known) and by its benchmark (`generate`: 100,000 conversations / ~2 million
events into PostgreSQL with COPY, in a few minutes)."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.core import replies

Event = dict[str, Any]


def rasa_row(sender: str, event: Event) -> dict[str, Any]:
    """An `events` row as SQLTrackerStore.save() makes it from `event.as_dict()`."""
    return {
        "sender_id": sender,
        "type_name": event["event"],
        "timestamp": event.get("timestamp"),
        "intent_name": (event.get("parse_data") or {}).get("intent", {}).get("name"),
        "action_name": event.get("name"),
        "data": json.dumps(event),
    }


def user(
    text: str,
    at: float,
    intent: str,
    channel: str | None = "socketio",
    entities: list[dict[str, Any]] | None = None,
) -> Event:
    event: Event = {
        "event": "user",
        "timestamp": at,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.93},
            "entities": entities or [],
            "text": text,
        },
        "input_channel": channel,
        "message_id": f"m{int(at * 1000)}",
        "metadata": {},
    }
    return event


def external(intent: str, at: float, entities: list[dict[str, Any]] | None = None) -> Event:
    """What Rasa writes for the back office's trigger_intent (not the shopper's words)."""
    event = user(f"EXTERNAL: {intent}", at, intent, None, entities)
    return event


def bot(
    text: str, at: float, buttons: list[dict[str, str]] | None = None, response: str | None = None
) -> Event:
    return {
        "event": "bot",
        "timestamp": at,
        "text": text,
        "data": {"buttons": buttons} if buttons else {},
        "metadata": {"utter_action": response} if response else {},
    }


def action(name: str, at: float) -> Event:
    return {"event": "action", "timestamp": at, "name": name, "policy": "RulePolicy"}


def slot(name: str, value: Any, at: float) -> Event:
    return {"event": "slot", "timestamp": at, "name": name, "value": value}


def session_start(at: float) -> list[Event]:
    return [
        action("action_session_start", at),
        {"event": "session_started", "timestamp": at},
        action("action_listen", at),
    ]


def ts(value: datetime) -> float:
    return value.timestamp()


# The bot's own buttons, so the history reads like the tracker the bot writes.
HELPFUL = [replies.HELPFUL, replies.NOT_HELPFUL]
RATINGS = replies.RATINGS
CHOICES = [replies.TRACK_ORDER, replies.RETURN_ITEM]


def faq_answer(at: float, topic: str, entry: str, helpful: bool | None, ch: str) -> list[Event]:
    """A question answered by the knowledge base, then (maybe) 👍 or 👎."""
    events = [
        user("Question", at, "faq", ch),
        action("action_answer_faq", at + 0.5),
        bot("Réponse", at + 0.6, HELPFUL),
        slot("kb_entry", entry, at + 0.6),
        slot("kb_topic", topic, at + 0.6),
        action("action_listen", at + 0.7),
    ]
    if helpful is not None:
        value = "yes" if helpful else "no"
        events += [
            user(
                f'/faq_feedback{{"helpful": "{value}"}}',
                at + 20,
                "faq_feedback",
                ch,
                [{"entity": "helpful", "value": value}],
            ),
            action("action_record_faq_feedback", at + 20.2),
            bot("Merci pour votre retour !", at + 20.3),
            slot("kb_entry", None, at + 20.3),
            action("action_listen", at + 20.4),
        ]
    return events


def handoff(at: float, intent: str, ch: str) -> list[Event]:
    return [
        user("Je veux parler à quelqu'un", at, intent, ch),
        action("action_human_handoff", at + 0.5),
        bot("Un conseiller va vous répondre.", at + 0.6),
        slot("requested_slot", None, at + 0.6),
        slot("handoff_active", True, at + 0.6),
        action("action_listen", at + 0.7),
    ]


def resolved(at: float) -> list[Event]:
    """The agent closed the case: the bot asks for a rating."""
    return [
        external("handoff_resolved", at),
        action("action_handoff_resolved", at + 0.2),
        bot("Comment cela s'est-il passé ?", at + 0.3, RATINGS, "utter_ask_rating"),
        slot("handoff_active", False, at + 0.3),
        action("action_listen", at + 0.4),
    ]


def rating(at: float, value: int, ch: str, typed: bool = False) -> list[Event]:
    entities = [] if typed else [{"entity": "rating", "value": str(value)}]
    text = str(value) if typed else f'/rate{{"rating": "{value}"}}'
    return [
        user(text, at, "rate", ch, entities),
        action("action_record_rating", at + 0.2),
        bot("Merci pour votre note !", at + 0.3),
        action("action_listen", at + 0.4),
    ]


# -- the benchmark's generator ----------------------------------------------------------------

CHANNELS = ("socketio", "socketio", "socketio", "telegram", "facebook")
REASONS = ("asked", "asked", "upset", "unsure", "verification", "shop_down", "not_supported")
TOPICS = ("livraison", "retours", "paiement", "commande", "produits", "compte")


def _copy_line(values: list[Any]) -> str:
    """One line of PostgreSQL's COPY text format."""

    def cell(value: Any) -> str:
        if value is None:
            return "\\N"
        text = value if isinstance(value, str) else str(value)
        return (
            text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")
        )

    return "\t".join(cell(v) for v in values) + "\n"


def conversation(
    rng: random.Random, sender: str, start: datetime, case_id: int
) -> tuple[list[Event], list[dict[str, Any]], list[dict[str, Any]]]:
    """One conversation of ~20 events: questions, answers, maybe a hand-off (with its case
    and messages), a rating, a form left unanswered."""
    ch = rng.choice(CHANNELS)
    t = ts(start)
    events = session_start(t)
    events += [user("Bonjour", t + 1, "greet", ch), bot("Bonjour !", t + 1.5, CHOICES)]
    t += 5
    for _ in range(rng.randint(1, 2)):
        helpful = rng.choice((True, False, None))
        events += faq_answer(t, rng.choice(TOPICS), f"e{rng.randint(1, 80)}", helpful, ch)
        t += 60
    cases: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    if rng.random() < 0.25:
        events += handoff(t, "human_handoff", ch)
        created = datetime.fromtimestamp(t, timezone.utc)
        first = created + timedelta(seconds=rng.randint(20, 3600))
        done = first + timedelta(seconds=rng.randint(60, 7200))
        status = rng.choice(("resolved", "resolved", "resolved", "returned", "waiting"))
        cases.append(
            {
                "id": case_id,
                "conversation_id": sender,
                "channel": ch,
                "reason": rng.choice(REASONS),
                "priority": 3,
                "status": status,
                "summary": "{}",
                "mood": None,
                "assigned_to": None,
                "created_at": created,
                "updated_at": done,
                "resolved_at": done if status == "resolved" else None,
                "rating": None,
                "rated_at": None,
            }
        )
        messages.append({"handoff_id": case_id, "sender": "shopper", "at": created})
        if status != "waiting":
            messages.append({"handoff_id": case_id, "sender": "agent", "at": first})
        if status == "resolved":
            events += resolved(ts(done))
            if rng.random() < 0.6:
                events += rating(ts(done) + 30, rng.randint(1, 5), ch)
    elif rng.random() < 0.15:
        events += [
            user("où est ma commande", t, "track_order", ch),
            action("track_order_form", t + 0.2),
            {"event": "active_loop", "timestamp": t + 0.2, "name": "track_order_form"},
            slot("requested_slot", "order_number", t + 0.2),
            bot("Quel est le numéro de commande ?", t + 0.3, None, "utter_ask_order_number"),
            action("action_listen", t + 0.4),
        ]
    else:
        events += [
            user("merci au revoir", t, "goodbye", ch),
            bot("Au revoir !", t + 0.3),
            action("action_listen", t + 0.4),
        ]
    return events, cases, messages


def generate(
    conversations: int, days: int, end: datetime, seed: int = 15
) -> Iterator[tuple[str, str, str]]:
    """COPY text chunks (events, handoffs, handoff_messages) for
    `conversations` conversations spread over the `days` before `end`."""
    rng = random.Random(seed)
    events, cases, messages = io.StringIO(), io.StringIO(), io.StringIO()
    case_id = 0
    event_id = 0
    message_id = 0
    span = days * 86400
    for index in range(conversations):
        start = end - timedelta(seconds=rng.randint(0, span))
        sender = f"bench-{index:06d}"
        evs, cs, ms = conversation(rng, sender, start, case_id + 1)
        case_id += len(cs)
        for event in evs:
            event_id += 1
            row = rasa_row(sender, event)
            events.write(
                _copy_line(
                    [
                        event_id,
                        row["sender_id"],
                        row["type_name"],
                        row["timestamp"],
                        row["intent_name"],
                        row["action_name"],
                        row["data"],
                    ]
                )
            )
        for c in cs:
            cases.write(
                _copy_line(
                    [
                        c["id"],
                        c["conversation_id"],
                        c["channel"],
                        c["reason"],
                        c["priority"],
                        c["status"],
                        c["summary"],
                        c["mood"],
                        c["assigned_to"],
                        _naive(c["created_at"]),
                        _naive(c["updated_at"]),
                        _naive(c["resolved_at"]),
                        c["rating"],
                        c["rated_at"],
                    ]
                )
            )
        for m in ms:
            message_id += 1
            messages.write(
                _copy_line([message_id, m["handoff_id"], m["sender"], "…", None, _naive(m["at"])])
            )
        if (index + 1) % 5000 == 0 or index + 1 == conversations:
            yield events.getvalue(), cases.getvalue(), messages.getvalue()
            events, cases, messages = io.StringIO(), io.StringIO(), io.StringIO()


def _naive(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
