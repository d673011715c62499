"""Proactive delay notices end to end in the back office: watches and stops from the action
server, the shop's signed webhook and the poller, the queue and its worker, against the Rasa
stand-in (conftest.py). Shop clients are small fakes of the two protocols of
bot/clients/shop/delays.py, since the platforms' adapters are written elsewhere."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.backoffice.app import create_app
from bot.backoffice.db import Notice, NoticeStop, NoticeWatch
from bot.backoffice.notices import queue, worker
from bot.clients.shop.delays import BadSignature, DelayEvent
from bot.core import forgotten
from bot.settings import Settings

from .conftest import SERVICE_TOKEN, Clock, RasaStandIn

SECRET = "secret-du-webhook"
AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


class WebhookShop:
    """A shop that signs its webhooks like WooCommerce (base64 HMAC-SHA256 of the body)."""

    def delay_from_webhook(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> DelayEvent | None:
        expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
        if not hmac.compare_digest(headers.get("x-wc-webhook-signature", ""), expected.decode()):
            raise BadSignature()
        data = json.loads(body)
        if data.get("status") != "late":
            return None
        new_date = date.fromisoformat(data["date"]) if data.get("date") else None
        return DelayEvent(data["order"], new_date, data["id"])


class PolledShop:
    """A shop without webhooks (like PrestaShop): it is asked which followed orders are late."""

    def __init__(self) -> None:
        self.late: list[DelayEvent] = []
        self.asked: list[list[str]] = []

    def delays(self, numbers: Sequence[str]) -> list[DelayEvent]:
        self.asked.append(list(numbers))
        return list(self.late)  # also an order nobody asked about: must be ignored


def signed(payload: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
    return body, {"X-WC-Webhook-Signature": signature.decode(), "Content-Type": "application/json"}


def late(order: str = "CM000042", event: str = "evt-1", day: str = "2026-12-03") -> Any:
    return {"status": "late", "order": order, "id": event, "date": day}


class Notices:
    """A back office with its notice worker stopped (the tests run its passes themselves)."""

    def __init__(self, app: Any, client: TestClient, rasa: RasaStandIn, clock: Clock) -> None:
        self.app, self.client, self.rasa, self.clock = app, client, rasa, clock

    def watch(
        self, conversation: str, order: str = "CM000042", channel: str = "socketio", **more: Any
    ) -> Any:
        body = {"conversation_id": conversation, "order_number": order, "channel": channel}
        response = self.client.post("/api/watches", json={**body, **more}, headers=AUTH)
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self, conversation: str) -> Any:
        response = self.client.post(f"/api/watches/{conversation}/stop", headers=AUTH)
        assert response.status_code == 200, response.text
        return response.json()

    def webhook(self, payload: dict[str, Any], secret: str = SECRET) -> Any:
        body, headers = signed(payload, secret)
        return self.client.post("/api/webhooks/shop", content=body, headers=headers)

    def chatted(self, conversation: str, channel: str, ago: timedelta) -> None:
        """The shopper's last message on `channel`, `ago` before now, as Rasa's tracker."""
        stamp = (self.clock.now - ago).timestamp()
        self.rasa.trackers[conversation] = {
            "sender_id": conversation,
            "latest_input_channel": channel,
            "events": [
                {"event": "user", "text": "Où est ma commande ?", "timestamp": stamp},
                {"event": "bot", "text": "Elle arrive demain.", "timestamp": stamp + 1},
            ],
        }

    def tick(self) -> Counter[str]:
        return asyncio.run(worker.send_due(self.app.state))

    def notices(self, conversation: str | None = None) -> list[Notice]:
        with self.app.state.sessions() as db:
            query = select(Notice).order_by(Notice.id)
            if conversation:
                query = query.where(Notice.conversation_id == conversation)
            return list(db.scalars(query))

    def sent_to(self) -> list[str]:
        return [call.params["conversation"] for call in self.rasa.triggers()]


def notice_settings(settings: Settings, tmp_path: Path, **more: Any) -> Settings:
    return settings.model_copy(
        update={
            "notice_worker_seconds": 0,
            "shop_webhook_secret": SECRET,
            "forgotten_db": tmp_path / "forgotten.db",
            **more,
        }
    )


@pytest.fixture
def nb(settings: Settings, tmp_path: Path, clock: Clock, rasa: RasaStandIn) -> Iterator[Notices]:
    app = create_app(notice_settings(settings, tmp_path), kb=object(), clock=clock)
    app.state.shop_client = WebhookShop()
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Notices(app, client, rasa, clock)


def test_webhook_with_a_good_signature_queues_one_notice_per_follower(nb: Notices) -> None:
    nb.watch("conv-web", channel="socketio")
    nb.watch("telegram-42", channel="telegram")
    nb.watch("conv-other", order="CM000099")
    response = nb.webhook(late())
    assert response.status_code == 200 and response.json() == {"notices": 2}
    stored = nb.notices()
    assert sorted(n.conversation_id for n in stored) == ["conv-web", "telegram-42"]
    assert {n.status for n in stored} == {"queued"}
    assert stored[0].expected_delivery == date(2026, 12, 3)
    nb.chatted("conv-web", "socketio", timedelta(minutes=5))
    nb.chatted("telegram-42", "telegram", timedelta(days=2))
    assert nb.tick() == Counter({"sent": 2})
    calls = {c.params["conversation"]: c for c in nb.rasa.triggers()}
    assert set(calls) == {"conv-web", "telegram-42"}
    assert calls["conv-web"].params["name"] == "order_delayed"
    assert calls["conv-web"].params["entities"] == {
        "order_number": "CM000042",
        "delivery_date": "2026-12-03",
    }
    assert calls["conv-web"].query["output_channel"] == "latest"
    assert {n.status for n in nb.notices()} == {"sent"}


def test_webhook_without_a_date_sends_an_empty_date(nb: Notices) -> None:
    nb.watch("conv-web")
    assert nb.webhook({**late(), "date": None}).json() == {"notices": 1}
    nb.chatted("conv-web", "socketio", timedelta(minutes=1))
    nb.tick()
    [call] = nb.rasa.triggers()
    assert call.params["entities"]["delivery_date"] == ""


def test_webhook_with_a_bad_signature_is_refused_and_stores_nothing(nb: Notices) -> None:
    nb.watch("conv-web")
    assert nb.webhook(late(), secret="pas-le-bon").status_code == 401
    body, headers = signed(late())
    tampered = body.replace(b"CM000042", b"CM000043")
    response = nb.client.post("/api/webhooks/shop", content=tampered, headers=headers)
    assert response.status_code == 401
    unsigned = nb.client.post("/api/webhooks/shop", content=body)
    assert unsigned.status_code == 401
    assert nb.notices() == []


def test_webhook_of_an_order_update_that_is_no_delay(nb: Notices) -> None:
    nb.watch("conv-web")
    assert nb.webhook({"status": "processing", "order": "CM000042"}).json() == {"notices": 0}
    assert nb.webhook(late(order="CM000777")).json() == {"notices": 0}  # nobody follows it
    assert nb.notices() == []


def test_webhook_is_404_when_the_shop_sends_none(nb: Notices) -> None:
    nb.app.state.shop_client = PolledShop()
    assert nb.webhook(late()).status_code == 404


def test_the_same_delay_twice_makes_one_notice(nb: Notices) -> None:
    nb.watch("conv-web")
    nb.chatted("conv-web", "socketio", timedelta(minutes=1))
    assert nb.webhook(late()).json() == {"notices": 1}
    assert nb.webhook(late()).json() == {"notices": 0}  # the shop's retry
    nb.tick()
    assert nb.webhook(late()).json() == {"notices": 0}  # even after it was sent
    nb.tick()
    assert nb.sent_to() == ["conv-web"]
    assert nb.webhook(late(event="evt-2", day="2026-12-10")).json() == {"notices": 1}
    nb.tick()
    assert nb.sent_to() == ["conv-web", "conv-web"]  # a new delay is a new notice


def test_watches_need_the_service_token(nb: Notices) -> None:
    body = {"conversation_id": "c", "order_number": "CM000042", "channel": "socketio"}
    assert nb.client.post("/api/watches", json=body).status_code == 401
    assert nb.client.post("/api/watches/c/stop").status_code == 401
    bad = {**body, "conversation_id": "c\x00d"}
    assert nb.client.post("/api/watches", json=bad, headers=AUTH).status_code == 422


def test_stop_skips_the_waiting_notice_and_the_next_ones(nb: Notices) -> None:
    nb.watch("conv-web")
    nb.chatted("conv-web", "socketio", timedelta(minutes=1))
    nb.webhook(late())
    assert nb.stop("conv-web")["skipped"] == 1
    assert nb.tick() == Counter()
    [notice] = nb.notices()
    assert (notice.status, notice.reason) == ("skipped", "stopped")
    assert nb.webhook(late(event="evt-2")).json() == {"notices": 0}
    # Proving the order again does not silently resume the notices...
    assert nb.watch("conv-web")["active"] is False
    assert nb.webhook(late(event="evt-3")).json() == {"notices": 0}
    assert nb.rasa.triggers() == []
    # ...the shopper asking for them again does.
    assert nb.watch("conv-web", resume=True)["active"] is True
    assert nb.webhook(late(event="evt-4")).json() == {"notices": 1}
    nb.tick()
    assert nb.sent_to() == ["conv-web"]


def test_stop_between_claim_and_send_is_respected(nb: Notices) -> None:
    """A stop that lands while the notice is already queued (another process, a race with
    the stop's own UPDATE) is checked again by the worker just before sending."""
    nb.watch("conv-web")
    nb.chatted("conv-web", "socketio", timedelta(minutes=1))
    nb.webhook(late())
    with nb.app.state.sessions() as db:
        db.add(NoticeStop(conversation_id="conv-web", stopped_at=nb.clock.now))
        db.commit()
    assert nb.tick() == Counter({"skipped:stopped": 1})
    assert nb.rasa.triggers() == []


def test_messenger_within_24_hours_is_sent(nb: Notices) -> None:
    nb.watch("messenger-1", channel="facebook")
    nb.chatted("messenger-1", "facebook", timedelta(hours=23))
    nb.webhook(late())
    assert nb.tick() == Counter({"sent": 1})
    assert nb.sent_to() == ["messenger-1"]


def test_messenger_after_24_hours_is_skipped(nb: Notices) -> None:
    nb.watch("messenger-1", channel="facebook")
    nb.chatted("messenger-1", "facebook", timedelta(hours=25))
    nb.webhook(late())
    assert nb.tick() == Counter({"skipped:window_closed": 1})
    [notice] = nb.notices()
    assert (notice.status, notice.reason) == ("skipped", "window_closed")
    nb.clock.now += timedelta(hours=1)
    nb.tick()
    assert nb.rasa.triggers() == []  # skipped for good, not retried


def test_telegram_without_a_message_from_the_shopper_is_skipped(nb: Notices) -> None:
    nb.watch("telegram-7", channel="telegram")
    nb.rasa.trackers["telegram-7"] = {
        "sender_id": "telegram-7",
        "latest_input_channel": "telegram",
        "events": [{"event": "action", "name": "action_session_start", "timestamp": 1.0}],
    }
    nb.webhook(late())
    assert nb.tick() == Counter({"skipped:conversation_closed": 1})
    assert nb.rasa.triggers() == []


def test_widget_closed_is_skipped(nb: Notices) -> None:
    nb.watch("conv-open")
    nb.watch("conv-closed")
    nb.chatted("conv-open", "socketio", timedelta(minutes=30))
    nb.chatted("conv-closed", "socketio", timedelta(minutes=61))
    nb.webhook(late())
    assert nb.tick() == Counter({"sent": 1, "skipped:conversation_closed": 1})
    assert nb.sent_to() == ["conv-open"]


def test_unknown_channel_is_skipped(nb: Notices) -> None:
    nb.watch("conv-sms", channel="twilio")
    nb.chatted("conv-sms", "twilio", timedelta(minutes=1))
    nb.webhook(late())
    assert nb.tick() == Counter({"skipped:unknown_channel": 1})


def test_rasa_failures_are_retried_later_then_given_up(nb: Notices) -> None:
    nb.watch("conv-web")
    nb.chatted("conv-web", "socketio", timedelta(minutes=1))
    nb.webhook(late())
    nb.rasa.fail_with = 500
    assert nb.tick() == Counter({"failed": 1})
    [notice] = nb.notices()
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert notice.next_try_at == nb.clock.now + timedelta(seconds=60)
    assert nb.tick() == Counter()  # not due yet
    nb.rasa.fail_with = None
    nb.clock.now += timedelta(seconds=61)
    assert nb.tick() == Counter({"sent": 1})
    assert nb.sent_to() == ["conv-web"]
    [notice] = nb.notices()
    assert (notice.status, notice.attempts) == ("sent", 2)

    nb.webhook(late(event="evt-2"))
    nb.rasa.fail_with = 503
    outcomes: Counter[str] = Counter()
    for _ in range(8):
        outcomes += nb.tick()
        nb.clock.now += timedelta(hours=1)
    assert outcomes == Counter({"failed": 4, "failed:gave_up": 1})  # notice_max_attempts = 5
    given_up = nb.notices()[-1]
    assert (given_up.status, given_up.reason, given_up.next_try_at) == ("failed", "gave_up", None)


def test_a_notice_left_mid_send_is_not_sent_twice(nb: Notices) -> None:
    """A worker died after Rasa took the notice but before marking it sent: the lease runs
    out, the next worker finds the trigger in the tracker and only marks it."""
    nb.watch("conv-web")
    nb.webhook(late())
    [notice] = nb.notices()
    with nb.app.state.sessions() as db:
        assert queue.claim(db, notice.id, nb.clock.now) is not None
    nb.chatted("conv-web", "socketio", timedelta(minutes=1))
    nb.rasa.trackers["conv-web"]["events"].append(
        {
            "event": "user",
            "text": "EXTERNAL: order_delayed",
            "timestamp": nb.clock.now.timestamp() + 2,
            "parse_data": {
                "intent": {"name": "order_delayed"},
                "entities": [
                    {"entity": "order_number", "value": "CM000042"},
                    {"entity": "delivery_date", "value": "2026-12-03"},
                ],
            },
        }
    )
    assert nb.tick() == Counter()  # still leased
    nb.clock.now += queue.LEASE + timedelta(seconds=1)
    assert nb.tick() == Counter({"sent": 1})
    assert nb.rasa.triggers() == []


def test_two_workers_send_a_notice_once(nb: Notices) -> None:
    for n in range(5):
        nb.watch(f"conv-{n}")
        nb.chatted(f"conv-{n}", "socketio", timedelta(minutes=1))
    nb.webhook(late())

    async def both() -> list[Counter[str]]:
        return list(
            await asyncio.gather(worker.send_due(nb.app.state), worker.send_due(nb.app.state))
        )

    first, second = asyncio.run(both())
    assert (first + second)["sent"] == 5
    assert sorted(nb.sent_to()) == [f"conv-{n}" for n in range(5)]


def test_poller_asks_about_followed_orders_only(nb: Notices) -> None:
    shop = PolledShop()
    nb.watch("conv-a", order="CM000001")
    nb.watch("conv-b", order="CM000002")
    nb.watch("conv-c", order="CM000003")
    nb.stop("conv-c")
    nb.chatted("conv-a", "socketio", timedelta(minutes=1))
    shop.late = [
        DelayEvent("CM000001", date(2026, 12, 4), "CM000001:2026-12-04"),
        DelayEvent("CM000009", None, "CM000009:none"),  # nobody asked: dropped
    ]
    state = nb.app.state
    assert asyncio.run(worker.poll_once(state, shop)) == 1
    assert shop.asked == [["CM000001", "CM000002"]]
    assert asyncio.run(worker.poll_once(state, shop)) == 0  # seen by two polls: one notice
    nb.tick()
    assert nb.sent_to() == ["conv-a"]
    assert [n.order_number for n in nb.notices()] == ["CM000001"]


def test_poller_task_runs_in_the_lifespan(
    settings: Settings, tmp_path: Path, clock: Clock, rasa: RasaStandIn
) -> None:
    """A back office whose shop must be polled polls at start-up, then the worker sends."""
    first = create_app(notice_settings(settings, tmp_path), kb=object(), clock=clock)
    with TestClient(first) as client:
        body = {"conversation_id": "conv-a", "order_number": "CM000001", "channel": "socketio"}
        assert client.post("/api/watches", json=body, headers=AUTH).status_code == 200
    rasa.trackers["conv-a"] = {
        "sender_id": "conv-a",
        "latest_input_channel": "socketio",
        "events": [{"event": "user", "text": "?", "timestamp": clock.now.timestamp()}],
    }
    shop = PolledShop()
    shop.late = [DelayEvent("CM000001", None, "e1")]
    live = notice_settings(settings, tmp_path, notice_worker_seconds=0.05)
    app = create_app(live, kb=object(), clock=clock)
    app.state.shop_client = shop
    with TestClient(app):
        wait_for(lambda: len(rasa.triggers()) == 1)
    assert shop.asked == [["CM000001"]]


def wait_for(condition: Any, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_restart_between_the_event_and_the_notice_loses_nothing(
    settings: Settings, tmp_path: Path, clock: Clock, rasa: RasaStandIn
) -> None:
    stopped = notice_settings(settings, tmp_path)  # no worker: the process "dies" first
    first = create_app(stopped, kb=object(), clock=clock)
    first.state.shop_client = WebhookShop()
    with TestClient(first) as client:
        body = {"conversation_id": "conv-web", "order_number": "CM000042", "channel": "socketio"}
        assert client.post("/api/watches", json=body, headers=AUTH).status_code == 200
        payload, headers = signed(late())
        answer = client.post("/api/webhooks/shop", content=payload, headers=headers)
        assert answer.json() == {"notices": 1}
    assert rasa.triggers() == []
    rasa.trackers["conv-web"] = {
        "sender_id": "conv-web",
        "latest_input_channel": "socketio",
        "events": [{"event": "user", "text": "?", "timestamp": clock.now.timestamp()}],
    }
    running = notice_settings(settings, tmp_path, notice_worker_seconds=0.05)
    for _ in range(2):  # a new process on the same database, then another one
        second = create_app(running, kb=object(), clock=clock)
        second.state.shop_client = WebhookShop()
        with TestClient(second):
            wait_for(lambda: len(rasa.triggers()) >= 1)
            time.sleep(0.3)  # several more passes of the worker
    assert [c.params["conversation"] for c in rasa.triggers()] == ["conv-web"]
    with second.state.sessions() as db:
        assert db.scalar(select(Notice.status)) == "sent"


def test_webhook_wakes_the_running_worker(
    settings: Settings, tmp_path: Path, clock: Clock, rasa: RasaStandIn
) -> None:
    live = notice_settings(settings, tmp_path, notice_worker_seconds=30)
    app = create_app(live, kb=object(), clock=clock)
    app.state.shop_client = WebhookShop()
    rasa.trackers["conv-web"] = {
        "sender_id": "conv-web",
        "latest_input_channel": "socketio",
        "events": [{"event": "user", "text": "?", "timestamp": clock.now.timestamp()}],
    }
    with TestClient(app) as client:
        body = {"conversation_id": "conv-web", "order_number": "CM000042", "channel": "socketio"}
        client.post("/api/watches", json=body, headers=AUTH)
        payload, headers = signed(late())
        client.post("/api/webhooks/shop", content=payload, headers=headers)
        wait_for(lambda: len(rasa.triggers()) == 1, seconds=3)  # well before 30 s


def test_watches_expire_and_are_purged(nb: Notices) -> None:
    nb.watch("conv-web")
    nb.clock.now += timedelta(days=29)
    nb.watch("conv-web")  # asked again: 30 more days
    nb.clock.now += timedelta(days=29)
    assert nb.webhook(late()).json() == {"notices": 1}
    nb.clock.now += timedelta(days=2)
    assert nb.webhook(late(event="evt-2")).json() == {"notices": 0}
    nb.tick()
    with nb.app.state.sessions() as db:
        assert db.scalars(select(NoticeWatch)).all() == []
    nb.clock.now += timedelta(days=31)
    nb.app.state.notices_swept_at = None
    nb.tick()
    assert nb.notices() == []  # finished notices do not outlive their retention either


def test_an_erased_conversation_gets_no_notice_and_loses_its_rows(nb: Notices) -> None:
    nb.watch("conv-erased")
    nb.watch("conv-kept")
    nb.chatted("conv-erased", "socketio", timedelta(minutes=1))
    nb.chatted("conv-kept", "socketio", timedelta(minutes=1))
    nb.webhook(late())
    forgotten.record(
        ["conv-erased"], nb.app.state.settings.forgotten_db, at=nb.clock.now.timestamp() + 5
    )
    nb.tick()
    assert nb.sent_to() == ["conv-kept"]
    assert [n.conversation_id for n in nb.notices()] == ["conv-kept"]
    with nb.app.state.sessions() as db:
        assert [w.conversation_id for w in db.scalars(select(NoticeWatch))] == ["conv-kept"]


def test_erasure_after_the_sweep_still_stops_the_notice(nb: Notices) -> None:
    nb.watch("conv-erased")
    nb.chatted("conv-erased", "socketio", timedelta(minutes=1))
    nb.tick()  # the hourly sweep ran
    nb.webhook(late())
    forgotten.record(
        ["conv-erased"], nb.app.state.settings.forgotten_db, at=nb.clock.now.timestamp() + 5
    )
    assert nb.tick() == Counter({"skipped:erased": 1})
    assert nb.rasa.triggers() == []


def test_dates_are_utc(nb: Notices) -> None:
    nb.watch("conv-web")
    nb.webhook(late())
    [notice] = nb.notices()
    assert notice.created_at == nb.clock.now and notice.created_at.tzinfo == timezone.utc
    assert isinstance(notice.next_try_at, datetime)


def test_queue_on_postgresql(
    postgres_url: str, settings: Settings, tmp_path: Path, clock: Clock, rasa: RasaStandIn
) -> None:
    """ON CONFLICT DO NOTHING and the conditional claim in PostgreSQL's dialect too."""
    on_pg = notice_settings(settings, tmp_path, backoffice_db_url=postgres_url)
    app = create_app(on_pg, kb=object(), clock=clock)
    app.state.shop_client = WebhookShop()
    with TestClient(app) as client:
        office = Notices(app, client, rasa, clock)
        office.watch("conv-web")
        office.chatted("conv-web", "socketio", timedelta(minutes=1))
        assert office.webhook(late()).json() == {"notices": 1}
        assert office.webhook(late()).json() == {"notices": 0}
        [notice] = office.notices()
        with app.state.sessions() as db:
            assert queue.claim(db, notice.id, clock.now) is not None
            assert queue.claim(db, notice.id, clock.now) is None  # taken
        clock.now += queue.LEASE + timedelta(seconds=1)
        assert office.tick() == Counter({"sent": 1})
        assert office.tick() == Counter()
        assert office.sent_to() == ["conv-web"]
