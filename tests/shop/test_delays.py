"""The demo shop's delay event: a parcel made late moves its date and tells Comptoir, signed
the way the back office checks it (the same reader the demo shop's client uses)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.clients.shop.delays import BadSignature
from bot.clients.shop.http import HttpShopClient
from bot.clients.shop.models import OrderStatus as S
from bot.demo_shop.__main__ import main
from bot.settings import get_settings
from tests.shop.conftest import Orders

SECRET = "secret-des-evenements"


class Receiver(ThreadingHTTPServer):
    """Comptoir's webhook, played by a recorder."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Record)
        self.received: list[tuple[bytes, dict[str, str]]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/webhooks/shop"


class _Record(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((body, dict(self.headers)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setenv("COMPTOIR_SHOP_WEBHOOK_SECRET", SECRET)
    get_settings.cache_clear()
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    get_settings.cache_clear()


def client() -> HttpShopClient:
    return HttpShopClient("http://127.0.0.1:9", "unused")


def test_a_late_parcel_moves_its_date_and_tells_comptoir_once_signed(
    db_url: str, orders: Orders, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = orders.find(S.SHIPPED)
    before = shipped.order.tracking.expected_delivery
    assert main(["delay", shipped.number, "--days", "4", "--db", db_url, "--to", receiver.url]) == 0
    late = orders.find(S.DELAYED, lambda o: o.number == shipped.number).order
    assert late.tracking.delayed and late.tracking.expected_delivery is not None
    assert before is not None and late.tracking.expected_delivery >= before + timedelta(days=4)
    assert "Retard d'acheminement" in late.tracking.events[-1].description
    [(body, headers)] = receiver.received
    event = client().delay_from_webhook(body, headers, SECRET)
    assert event is not None and event.order_number == shipped.number
    assert event.expected_delivery == late.tracking.expected_delivery
    assert "Comptoir prévient" in capsys.readouterr().out
    with pytest.raises(BadSignature):
        client().delay_from_webhook(body, headers, "un autre secret")
    with pytest.raises(BadSignature):
        client().delay_from_webhook(body.replace(b"order", b"ordre"), headers, SECRET)


def test_an_order_still_in_the_warehouse_cannot_be_late(
    db_url: str, orders: Orders, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    preparing = orders.find(S.PREPARING)
    assert main(["delay", preparing.number, "--db", db_url, "--to", receiver.url]) == 1
    assert "n'est pas en cours d'acheminement" in capsys.readouterr().err
    assert receiver.received == []


def test_comptoir_down_is_said_and_the_delay_is_kept(
    db_url: str, orders: Orders, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped = orders.find(S.SHIPPED)
    down = "http://127.0.0.1:9/api/webhooks/shop"
    assert main(["delay", shipped.number, "--db", db_url, "--to", down]) == 1
    assert "n'a pas reçu l'événement" in capsys.readouterr().err
    assert orders.find(S.DELAYED, lambda o: o.number == shipped.number)  # sent again later
