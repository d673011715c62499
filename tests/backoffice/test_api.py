"""The service API the action server calls (bot/clients/backoffice/models.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.backoffice.db import Handoff
from bot.clients.backoffice.models import HandoffTicket

from .conftest import OPEN_TIME, SERVICE_TOKEN, BackOffice

PARIS = ZoneInfo("Europe/Paris")


def test_ticket_when_open_and_nobody_online(bo: BackOffice) -> None:
    ticket = HandoffTicket.model_validate(bo.handoff("conv-a"))
    assert ticket.status == "waiting" and ticket.conversation_id == "conv-a"
    assert ticket.open_now is True
    assert ticket.agents_online == 0
    assert ticket.expected_wait_minutes is None
    # open, but nobody online: a person answers at the latest at the next opening
    assert ticket.answer_by == datetime(2026, 11, 26, 9, 0, tzinfo=PARIS)


def test_ticket_when_open_with_agents_online(bo: BackOffice) -> None:
    bo.add_user("bob@boutique.fr", "agent", last_seen=OPEN_TIME - timedelta(seconds=30))
    bo.add_user("old@boutique.fr", "agent", last_seen=OPEN_TIME - timedelta(hours=2))
    bo.add_user("off@boutique.fr", "agent", active=False, last_seen=OPEN_TIME)
    bo.add_user("ed@boutique.fr", "editor", last_seen=OPEN_TIME)
    first = HandoffTicket.model_validate(bo.handoff("conv-a"))
    assert first.open_now and first.agents_online == 1
    assert first.expected_wait_minutes == 5 and first.answer_by is None
    second = HandoffTicket.model_validate(bo.handoff("conv-b"))
    assert second.expected_wait_minutes == 10  # one case ahead
    urgent = HandoffTicket.model_validate(bo.handoff("conv-c", reason="upset", priority=1))
    assert urgent.expected_wait_minutes == 5  # jumps the queue
    bo.add_user("carla@boutique.fr", "admin", last_seen=OPEN_TIME)
    third = HandoffTicket.model_validate(bo.handoff("conv-d"))
    assert third.agents_online == 2 and third.expected_wait_minutes == 10  # (3 + 1) × 5 / 2


def test_ticket_when_closed(bo: BackOffice) -> None:
    bo.clock.now = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)  # Saturday noon
    bo.add_user("bob@boutique.fr", "agent", last_seen=bo.clock.now)
    ticket = HandoffTicket.model_validate(bo.handoff("conv-w"))
    assert ticket.open_now is False and ticket.agents_online == 1
    assert ticket.expected_wait_minutes is None
    assert ticket.answer_by == datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)  # Monday 9:00
    bo.clock.now = datetime(2026, 11, 30, 7, 59, tzinfo=timezone.utc)  # Monday 8:59 Paris
    early = HandoffTicket.model_validate(bo.handoff("conv-x"))
    assert early.open_now is False
    assert early.answer_by == datetime(2026, 11, 30, 9, 0, tzinfo=PARIS)


def test_duplicate_post_returns_the_open_handoff(bo: BackOffice) -> None:
    first = bo.handoff("conv-dup")
    second = bo.handoff("conv-dup", reason="upset", priority=1)
    assert second["id"] == first["id"]
    with bo.db() as db:
        assert db.query(Handoff).filter_by(conversation_id="conv-dup").count() == 1
    other = bo.handoff("conv-other")
    assert other["id"] != first["id"]


def test_request_validation(bo: BackOffice) -> None:
    assert bo.api("/api/handoffs", {"conversation_id": "", "reason": "asked"}).status_code == 422
    assert bo.api("/api/handoffs", {"conversation_id": "c", "reason": "bored"}).status_code == 422
    assert (
        bo.api(
            "/api/handoffs", {"conversation_id": "c", "reason": "asked", "priority": 9}
        ).status_code
        == 422
    )
    bo.handoff("conv-v")
    too_long = bo.api("/api/handoffs/conv-v/messages", {"text": "x" * 4001})
    assert too_long.status_code == 422
    assert bo.api("/api/handoffs/conv-v/rating", {"rating": 6}).status_code == 422


def test_messages_are_relayed_to_the_open_handoff(bo: BackOffice) -> None:
    assert bo.api("/api/handoffs/nobody/messages", {"text": "allo"}).status_code == 404
    handoff = bo.handoff("conv-m")
    response = bo.api("/api/handoffs/conv-m/messages", {"text": "Toujours là ?"})
    assert response.status_code == 202
    bo.login("agent@boutique.fr")
    page = bo.client.get(f"/inbox/{handoff['id']}")
    assert "Toujours là ?" in page.text
    fragment = bo.client.get(f"/inbox/{handoff['id']}/messages")
    assert "Toujours là ?" in fragment.text and "<html" not in fragment.text


def test_rating_goes_to_the_last_resolved_handoff(bo: BackOffice) -> None:
    handoff = bo.handoff("conv-r")
    assert bo.api("/api/handoffs/conv-r/rating", {"rating": 4}).status_code == 404
    csrf = bo.login("agent@boutique.fr")
    bo.client.post(f"/inbox/{handoff['id']}/resolve", data={"csrf_token": csrf})
    response = bo.api("/api/handoffs/conv-r/rating", {"rating": 4})
    assert response.status_code == 204 and response.content == b""
    with bo.db() as db:
        stored = db.get(Handoff, handoff["id"])
        assert stored.rating == 4 and stored.rated_at == OPEN_TIME


def test_control_characters_are_removed_before_storage(bo: BackOffice) -> None:
    """PostgreSQL refuses NUL in text (it was a 500); no C0 control but \\n and \\t is kept."""
    ticket = bo.handoff(
        "conv-nul",
        channel="web\x00chat",
        mood="fâché\x00",
        summary={
            "request": "Colis\x00 abîmé\x07",
            "order_number": "CM483391\x00",
            "last_messages": [{"sender": "shopper", "text": "allô\x00\r\nquelqu'un ?\x1b"}],
        },
    )
    relayed = bo.api(
        "/api/handoffs/conv-nul/messages", {"text": "Toujours\x00 là ?\tVraiment\r\n?"}
    )
    assert relayed.status_code == 202
    with bo.db() as db:
        handoff = db.get(Handoff, ticket["id"])
        assert (handoff.channel, handoff.mood) == ("webchat", "fâché")
        assert handoff.summary["request"] == "Colis abîmé"
        assert handoff.summary["order_number"] == "CM483391"
        assert handoff.summary["last_messages"][0]["text"] == "allô\nquelqu'un ?"
        assert [m.text for m in handoff.messages] == ["Toujours là ?\tVraiment\n?"]
    assert bo.api("/api/handoffs/conv-nul/messages", {"text": "\x00\x01"}).status_code == 422
    # An id is refused, not altered: "conv\x00x" → "convx" could be someone else's conversation.
    assert (
        bo.api("/api/handoffs", {"conversation_id": "conv\x00x", "reason": "asked"}).status_code
        == 422
    )
    assert bo.api("/api/handoffs/conv%00nul/messages", {"text": "allô"}).status_code == 422
    assert bo.api("/api/handoffs/conv%00nul/rating", {"rating": 3}).status_code == 422


def test_agent_replies_lose_control_characters(bo: BackOffice) -> None:
    handoff = bo.handoff("conv-reply")
    csrf = bo.login("agent@boutique.fr")
    sent = bo.client.post(
        f"/inbox/{handoff['id']}/reply",
        data={"text": "Bonjour\x00, je regarde.\r\nÀ tout de suite\x1b", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    [trigger] = bo.rasa.triggers()
    assert trigger.params["entities"]["agent_text"] == "Bonjour, je regarde.\nÀ tout de suite"
    with bo.db() as db:
        assert [m.text for m in db.get(Handoff, handoff["id"]).messages] == [
            "Bonjour, je regarde.\nÀ tout de suite"
        ]


MALFORMED = [
    b"[1, 2]",
    b"[]",
    b"null",
    b'"texte"',
    b"{",
    b"\xff\xfe",
    b'{"rating": NaN}',
    b'{"rating": 1e999}',
    b'{"text": "\\ud800"}',
    b'{"text": ["a"]}',
    b'{"conversation_id": "c", "reason": "asked", "priority": Infinity}',
    b'{"conversation_id": "c", "reason": "asked", "summary": {"request": "\\udc00"}}',
    b"[" * 5000 + b"]" * 5000,
]


def test_malformed_bodies_are_4xx_never_500(bo: BackOffice) -> None:
    """The 422 echoed the input, which NaN or a lone surrogate made unencodable: a 500."""
    bo.handoff("conv-bad")
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}", "content-type": "application/json"}
    for path in (
        "/api/handoffs",
        "/api/handoffs/conv-bad/messages",
        "/api/handoffs/conv-bad/rating",
    ):
        for body in MALFORMED:
            response = bo.client.post(path, content=body, headers=headers)
            assert response.status_code in (400, 422), (path, body[:40], response.status_code)
            assert "input" not in json.dumps(response.json()), "the input is never echoed"
    with bo.db() as db:
        assert [m.text for m in db.query(Handoff).one().messages] == []
