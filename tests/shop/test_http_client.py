"""HttpShopClient against a real uvicorn server running the demo shop, and against faulty
servers: a closed port, a slow server, 5xx answers and malformed bodies."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import requests

from bot.clients.shop.contract import (
    InvalidRequest,
    NotAllowed,
    OrderNotFound,
    ShopClient,
    ShopUnavailable,
    TooManyAttempts,
    VerificationFailed,
)
from bot.clients.shop.http import HttpShopClient
from bot.clients.shop.models import Address, ClaimKind, OrderStatus, Verification
from bot.core.logs import KeyValueFormatter
from bot.settings import Settings

from .conftest import API_KEY, Orders, ScriptedServer

S = OrderStatus
MARGIN_S = 0.5
METHODS = json.dumps(
    [
        {
            "code": "x",
            "name": "X",
            "carrier": "DPD",
            "min_days": 1,
            "max_days": 2,
            "price": 1.0,
            "free_above": None,
        }
    ]
).encode()


def _client(base_url: str, **overrides: Any) -> HttpShopClient:
    """The client the settings build, with some of the constructor's arguments changed."""
    settings = Settings.model_validate({"shop_api_url": base_url, "shop_api_key": API_KEY})
    built = HttpShopClient.from_settings(settings)
    transport = built.transport
    arguments = {
        "base_url": transport.base_url,
        "api_key": transport.headers["X-API-Key"],
        "connect_timeout": transport.connect_timeout,
        "read_timeout": transport.read_timeout,
        "retries": transport.retries,
        "deadline": transport.deadline,
    }
    return HttpShopClient(**{**arguments, **overrides})


def test_happy_paths_against_the_real_server(live_server: str, orders: Orders) -> None:
    shop: ShopClient = _client(live_server)
    delivered = orders.find(
        S.DELIVERED, lambda o: not o.returns and all(i.returnable for i in o.items)
    )
    proof = Verification(email=delivered.email.upper())
    order = shop.verify_order(delivered.number[2:], proof)
    assert order.number == delivered.number and order.status == S.DELIVERED
    assert shop.tracking(delivered.number, Verification(postcode=delivered.postcode)).delivered_at
    info = shop.create_return(delivered.number, proof, [order.items[0].sku], "Trop grand")
    assert info.rma.startswith("RMA-") and info.label_url.startswith(live_server + "/labels/")
    assert any(r.reason.endswith(info.rma) for r in shop.refunds(delivered.number, proof))

    preparing = orders.find(S.PREPARING)
    address = Address(name="Léa Petit", line1="3 rue Pasteur", postcode="69003", city="Lyon")
    moved = shop.change_address(preparing.number, Verification(email=preparing.email), address)
    assert moved.shipping_address.city == "Lyon"
    cancelled = shop.cancel_order(preparing.number, Verification(email=preparing.email))
    assert cancelled.status == S.CANCELLED and cancelled.refunds

    recent = orders.find(S.DELIVERED, lambda o: not o.returns, skip=3)
    claim = shop.create_claim(
        recent.number,
        Verification(email=recent.email),
        ClaimKind.DAMAGED,
        "Écran fissuré",
        [recent.order.items[0].sku],
    )
    assert claim.reference.startswith("RCL-") and claim.resolution in (
        "reship",
        "refund",
        "investigation",
    )
    assert {m.carrier for m in shop.shipping_methods()} >= {"Colissimo", "DPD"}
    assert shop.return_policy().withdrawal_days == 14


def test_the_client_names_who_asks_and_a_throttled_client_is_told(
    live_server: str, orders: Orders
) -> None:
    """verify_order passes the opaque client key: one guesser's wrong proofs make that
    guesser wait (TooManyAttempts), not the owner asking from another conversation."""
    shop = _client(live_server)
    sample = orders.find(S.PAID)
    for _ in range(10):
        with pytest.raises(VerificationFailed):
            shop.verify_order(sample.number, Verification(postcode="00000"), "guesser-key")
    with pytest.raises(TooManyAttempts) as throttled:
        shop.verify_order(sample.number, Verification(email=sample.email), "guesser-key")
    assert throttled.value.code == "too_many_attempts"
    assert (
        shop.verify_order(sample.number, Verification(email=sample.email), "owner-key").number
        == sample.number
    )


def test_errors_keep_the_shop_code_and_french_message(live_server: str, orders: Orders) -> None:
    shop = _client(live_server)
    shipped = orders.find(S.SHIPPED)
    with pytest.raises(OrderNotFound) as not_found:
        shop.verify_order("CM000004", Verification(postcode="75011"))
    assert not_found.value.code == "order_not_found" and "CM000004" in str(not_found.value)
    with pytest.raises(VerificationFailed) as failed:
        shop.tracking(shipped.number, Verification(email="autre@exemple.fr"))
    assert failed.value.code == "verification_failed"
    with pytest.raises(NotAllowed) as refused:
        shop.cancel_order(shipped.number, Verification(email=shipped.email))
    assert refused.value.code == "not_cancellable" and "expédiée" in str(refused.value)
    with pytest.raises(InvalidRequest) as invalid:
        shop.create_return(shipped.number, Verification(email=shipped.email), ["NOPE"], "x")
    assert invalid.value.code == "unknown_sku"
    with pytest.raises(InvalidRequest):
        shop.verify_order(shipped.number, Verification())
    with pytest.raises(ShopUnavailable) as unauthorized:
        _client(live_server, api_key="wrong").return_policy()
    assert unauthorized.value.code == "unauthorized"


def test_calls_are_logged_without_e_mails(
    live_server: str, orders: Orders, caplog: pytest.LogCaptureFixture
) -> None:
    sample = orders.find(S.DELAYED)
    shop = _client(live_server)
    with caplog.at_level(logging.INFO, logger="bot.clients.shop.http"):
        shop.tracking(sample.number, Verification(email=sample.email))
        with pytest.raises(OrderNotFound):
            shop.verify_order(sample.email, Verification(email=sample.email))
    calls = [r for r in caplog.records if r.getMessage() == "shop call"]
    fields = [(r.shop_method, r.shop_path, r.shop_status) for r in calls]  # type: ignore[attr-defined]
    assert ("POST", f"/v1/orders/{sample.number}/tracking", "200") in fields
    assert any("<e-mail>" in path and status == "404" for _, path, status in fields)
    assert calls and all(isinstance(getattr(r, "latency_ms", None), int) for r in calls)
    formatted = KeyValueFormatter("%(message)s").format(calls[0])  # as the process prints it
    assert formatted.startswith("shop call latency_ms=") and "shop_status=200" in formatted
    for record in caplog.records:
        assert sample.email not in record.getMessage()
        assert sample.email.split("@")[0] not in str(record.__dict__)


def test_proofs_travel_in_bodies_never_in_urls(live_server: str, orders: Orders) -> None:
    """Whatever the call, the URL (what access logs and proxies keep) holds no e-mail or
    postcode: the proof is in the JSON body."""
    sent: list[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, *_a, **_k: sent.append(response.request))
    shop = _client(live_server, session=session)
    paid = orders.find(S.PAID)
    delivered = orders.find(
        S.DELIVERED, lambda o: not o.returns and all(i.returnable for i in o.items)
    )
    new = Address(name="X", line1="1 rue Y", postcode="44000", city="Nantes")
    for sample, proof in (
        (paid, Verification(email=paid.email)),
        (delivered, Verification(postcode=delivered.postcode)),
    ):
        shop.verify_order(sample.number, proof, "client-key")
        shop.tracking(sample.number, proof)
        shop.refunds(sample.number, proof)
    shop.change_address(paid.number, Verification(postcode=paid.postcode), new)
    shop.cancel_order(paid.number, Verification(email=paid.email))
    item = delivered.order.items[0]
    shop.create_return(delivered.number, Verification(email=delivered.email), [item.sku], "x")
    with contextlib.suppress(NotAllowed):  # the shop's rules may refuse it: the proof was sent
        shop.create_claim(delivered.number, Verification(email=delivered.email), ClaimKind.DAMAGED)
    assert len(sent) == 10
    secrets = [paid.email, paid.postcode, delivered.email, delivered.postcode]
    secrets += [quote(secret, safe="") for secret in secrets]
    for request in sent:
        assert request.method == "POST" and "?" not in (request.url or "")
        assert not [secret for secret in secrets if secret in (request.url or "")], request.url
        proof = json.loads(request.body or b"{}")
        assert proof.get("email") or proof.get("postcode"), request.url


def test_closed_port_fails_fast(closed_port: int) -> None:
    shop = _client(f"http://127.0.0.1:{closed_port}")
    started = time.monotonic()
    with pytest.raises(ShopUnavailable):
        shop.verify_order("CM481234", Verification(postcode="75011"))
    assert time.monotonic() - started < shop.transport.deadline + MARGIN_S
    started = time.monotonic()
    with pytest.raises(ShopUnavailable):  # a write that never left may be retried, too
        shop.cancel_order("CM481234", Verification(postcode="75011"))
    assert time.monotonic() - started < shop.transport.deadline + MARGIN_S


def test_slow_shop_gives_up_within_the_deadline(
    scripted_server: Callable[..., ScriptedServer],
) -> None:
    slow = scripted_server(lambda hit: (200, METHODS, 5.0))
    shop = _client(slow.url)  # the defaults: connect 0.5 s, read 1 s, 2 retries, deadline 1.5 s
    started = time.monotonic()
    with pytest.raises(ShopUnavailable):
        shop.tracking("CM481234", Verification(email="a@exemple.fr"))
    elapsed = time.monotonic() - started
    assert shop.transport.read_timeout <= elapsed < shop.transport.deadline + MARGIN_S
    assert slow.hits == 2  # retried once, then the deadline left no room for a third try


def test_slow_shop_write_is_not_repeated(scripted_server: Callable[..., ScriptedServer]) -> None:
    slow = scripted_server(lambda hit: (200, b"{}", 5.0))
    shop = _client(slow.url)
    started = time.monotonic()
    with pytest.raises(ShopUnavailable):
        shop.cancel_order("CM481234", Verification(email="a@exemple.fr"))
    assert time.monotonic() - started < shop.transport.deadline + MARGIN_S
    time.sleep(0.1)
    assert slow.hits == 1  # the shop may have cancelled it: never send it twice


def test_idempotent_calls_retry_5xx_writes_do_not(
    scripted_server: Callable[..., ScriptedServer],
) -> None:
    flaky = scripted_server(lambda hit: (503, b"", 0.0) if hit == 1 else (200, METHODS, 0.0))
    assert _client(flaky.url).shipping_methods()[0].carrier == "DPD"
    assert flaky.hits == 2
    down = scripted_server(lambda hit: (500, b"oops", 0.0))
    with pytest.raises(ShopUnavailable):
        _client(down.url).shipping_methods()
    assert down.hits == 3  # 1 + shop_retries
    write = scripted_server(lambda hit: (502, b"", 0.0))
    with pytest.raises(ShopUnavailable):
        _client(write.url).create_claim(
            "CM481234", Verification(postcode="75011"), ClaimKind.MISSING
        )
    assert write.hits == 1


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"code": "x"}', b"[1, 2"])
def test_malformed_answers_are_shop_unavailable(
    scripted_server: Callable[..., ScriptedServer], body: bytes
) -> None:
    server = scripted_server(lambda hit: (200, body, 0.0))
    with pytest.raises(ShopUnavailable) as raised:
        _client(server.url).return_policy()
    assert raised.value.code == "malformed_response"


def test_error_without_a_json_body_is_still_typed(
    scripted_server: Callable[..., ScriptedServer],
) -> None:
    server = scripted_server(lambda hit: (404, b"Not Found", 0.0))
    with pytest.raises(OrderNotFound):
        _client(server.url).verify_order("CM481234", Verification(postcode="75011"))


def test_concurrent_cancellations_refund_only_once(live_server: str, orders: Orders) -> None:
    sample = orders.find(S.PAID)
    shop = _client(live_server, read_timeout=5.0, deadline=10.0)
    outcomes: list[str] = []

    def cancel() -> None:
        try:
            outcomes.append(
                shop.cancel_order(sample.number, Verification(email=sample.email)).status.value
            )
        except NotAllowed as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=cancel) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["cancelled"] + ["not_cancellable"] * 5
    assert len(shop.refunds(sample.number, Verification(email=sample.email))) == 1
