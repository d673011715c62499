"""Contract tests of the PrestaShop adapter against the Webservice stand-in, over loopback."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from bot.clients.shop.contract import (
    NOT_SUPPORTED,
    NotAllowed,
    NotSupported,
    OrderNotFound,
    ShopUnavailable,
    VerificationFailed,
)
from bot.clients.shop.delays import PolledDelays
from bot.clients.shop.factory import shop_client
from bot.clients.shop.models import Address, ClaimKind, OrderStatus, Verification
from bot.clients.shop.prestashop import PrestaShopClient, carrier_days
from bot.settings import Settings
from bot.tools.standins import serving
from bot.tools.standins.prestashop import KEY, create_app, demo_orders

TODAY = date.today()


@pytest.fixture()
def app() -> Any:
    return create_app(today=TODAY)


@pytest.fixture()
def url(app: Any) -> Iterator[str]:
    with serving(app) as base:
        yield base


def settings(**extra: Any) -> Settings:
    return Settings(_env_file=None, **extra)  # type: ignore[call-arg]


def client(url: str, key: str = KEY, **extra: Any) -> PrestaShopClient:
    return PrestaShopClient(url, key, settings=settings(), **{"deadline": 3.0, **extra})


def demo(status: str, k: int = 0) -> dict[str, Any]:
    return [d for d in demo_orders(TODAY) if d["status"] == status][k]


def by_email(order: dict[str, Any]) -> Verification:
    return Verification(email=order["email"])


def table(app: Any, resource: str) -> dict[int, dict[str, Any]]:
    tables: dict[int, dict[str, Any]] = app.state.shop.tables[resource]
    return tables


def raw_order(app: Any, number: str) -> dict[str, Any]:
    return next(o for o in table(app, "orders").values() if o["reference"] == number)


def queries(app: Any, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(q) for m, p, q in app.state.calls if p == path]


# -- authentication and the webservice's own answers -------------------------------------


def test_the_key_is_the_basic_user_and_reads_ask_for_json(app: Any, url: str) -> None:
    order = demo("paid")
    assert client(url).verify_order(order["number"], by_email(order)).number == order["number"]
    assert all(q.get("output_format") == ["JSON"] for q in queries(app, "/api/orders"))
    # The stand-in takes the key as user only: as a password, it is refused.
    auth = base64.b64encode(f":{KEY}".encode()).decode()
    reply = requests.get(
        f"{url}/api/orders?output_format=JSON", headers={"Authorization": f"Basic {auth}"}
    )
    assert reply.status_code == 401
    assert reply.json()["errors"][0]["code"] == 17
    assert "PrestaShop Webservice" in reply.headers["WWW-Authenticate"]


def test_a_wrong_key_is_unauthorized_and_logged(url: str, caplog: pytest.LogCaptureFixture) -> None:
    order = demo("paid")
    with caplog.at_level(logging.ERROR), pytest.raises(ShopUnavailable) as err:
        client(url, key="X" * 32).verify_order(order["number"], by_email(order))
    assert err.value.code == "unauthorized"
    assert "COMPTOIR_PRESTASHOP_KEY" in caplog.text
    assert order["email"] not in caplog.text


def test_the_standin_speaks_prestashop_errors(url: str) -> None:
    missing = requests.get(f"{url}/api/orders/9999?output_format=JSON", auth=(KEY, ""))
    assert missing.status_code == 404
    assert missing.json() == {"errors": [{"code": 87, "message": "Id(s) not exists: 9999"}]}
    xml = requests.get(f"{url}/api/orders/9999", auth=(KEY, ""))
    assert xml.headers["content-type"].startswith("text/xml") and b"<code>" in xml.content
    empty = requests.get(
        f"{url}/api/orders?output_format=JSON&filter[reference]=[AAAAAAAAA]", auth=(KEY, "")
    )
    assert empty.json() == []
    no_key = requests.get(f"{url}/api/orders")
    assert no_key.status_code == 401 and b"<code><![CDATA[16]]></code>" in no_key.content


# -- verification -----------------------------------------------------------------------


def test_every_demo_order_is_read_as_the_standin_says(url: str) -> None:
    shop = client(url)
    for expected in demo_orders(TODAY):
        order = shop.verify_order(expected["number"], by_email(expected))
        assert order.status.value == expected["status"], expected["number"]
        assert order.first_name == expected["first_name"]
        assert [(i.name, i.returnable) for i in order.items] == [
            (i["name"], i["returnable"]) for i in expected["items"]
        ]
        assert order.cancellable == (expected["status"] in ("paid", "preparing"))
        assert order.shipping_address.postcode == expected["postcode"]


def test_the_postcode_of_the_delivery_or_invoice_address_is_a_proof(app: Any, url: str) -> None:
    shop = client(url)
    order = demo("shipped", 1)  # the 4th of each 4 orders is billed elsewhere
    assert shop.verify_order(order["number"], Verification(postcode=order["postcode"]))
    billed = demo_orders(TODAY)[3]
    raw = raw_order(app, billed["number"])
    invoice = table(app, "addresses")[int(raw["id_address_invoice"])]["postcode"]
    assert invoice != billed["postcode"]
    found = shop.verify_order(billed["number"], Verification(postcode=invoice))
    assert found.number == billed["number"]


def test_a_wrong_proof_fails_without_saying_which(url: str) -> None:
    order = demo("delivered")
    shop = client(url)
    for proof in (Verification(email="autre.personne@exemple.fr"), Verification(postcode="75001")):
        with pytest.raises(VerificationFailed) as err:
            shop.verify_order(order["number"], proof)
        assert "e-mail" not in str(err.value) and "postal" not in str(err.value)


def test_unknown_references_are_not_found(app: Any, url: str) -> None:
    shop = client(url)
    with pytest.raises(OrderNotFound):
        shop.verify_order("ZZZZZZZZZ", Verification(email="a.b@exemple.fr"))
    calls = len(app.state.calls)
    for bad in ("ABC]|[DEF", "12345", "camille.martin@exemple.fr"):
        with pytest.raises(OrderNotFound):
            shop.verify_order(bad, Verification(email="a.b@exemple.fr"))
    assert len(app.state.calls) == calls  # nothing malformed reaches the shop's filter


def test_a_404_of_the_webservice_is_order_not_found(app: Any, url: str) -> None:
    order = demo("paid", 2)
    raw = raw_order(app, order["number"])
    del table(app, "customers")[int(raw["id_customer"])]
    with pytest.raises(OrderNotFound):
        client(url).verify_order(order["number"], by_email(order))


def test_no_email_or_postcode_ever_goes_in_a_url(app: Any, url: str) -> None:
    shop = client(url)
    for expected in demo_orders(TODAY)[:6]:
        shop.verify_order(expected["number"], by_email(expected))
        shop.verify_order(expected["number"], Verification(postcode=expected["postcode"]))
    for _, path, query in app.state.calls:
        assert "@" not in path + query and "%40" not in query
        assert not any(d["postcode"] in query for d in demo_orders(TODAY))


# -- lists, rate limits, failures ---------------------------------------------------------


def test_lists_follow_limit_pages(app: Any, url: str) -> None:
    order = demo("delivered")
    found = client(url, page_size=2).verify_order(order["number"], by_email(order))
    assert [e.description for e in found.tracking.events] == [
        "Paiement accepté",
        "En cours de préparation",
        "Expédié",
        "Livré",
    ]
    limits = [q["limit"][0] for q in queries(app, "/api/order_states")]
    # 14 states: seven full pages, then an empty one ends the list.
    assert limits == ["0,2", "2,2", "4,2", "6,2", "8,2", "10,2", "12,2", "14,2"]
    assert [q["limit"][0] for q in queries(app, "/api/order_histories")] == ["0,2", "2,2", "4,2"]


def test_a_short_429_is_waited_for(app: Any, url: str) -> None:
    order = demo("paid")
    app.state.faults = {"status": 429, "count": 1, "retry_after": 0.3}
    started = time.monotonic()
    found = client(url).verify_order(order["number"], by_email(order))
    assert found.number == order["number"]
    assert time.monotonic() - started >= 0.3
    assert app.state.faults["count"] == 0


def test_a_429_longer_than_the_deadline_is_rate_limited(app: Any, url: str) -> None:
    order = demo("paid")
    app.state.faults = {"status": 429, "count": 5, "retry_after": 30}
    started = time.monotonic()
    with pytest.raises(ShopUnavailable) as err:
        client(url, deadline=1.0).verify_order(order["number"], by_email(order))
    assert err.value.code == "rate_limited"
    assert time.monotonic() - started < 1.5


def test_5xx_is_retried_then_unavailable(app: Any, url: str) -> None:
    order = demo("paid")
    app.state.faults = {"status": 503, "count": 1}
    assert client(url).verify_order(order["number"], by_email(order)).number == order["number"]
    app.state.faults = {"status": 500, "count": 10}
    app.state.calls.clear()
    with pytest.raises(ShopUnavailable) as err:
        client(url, retries=2).verify_order(order["number"], by_email(order))
    assert err.value.code == "shop_unavailable"
    assert len(app.state.calls) == 3  # one try and two retries


# -- every ShopClient method ------------------------------------------------------------


def test_tracking_of_a_shipped_order(app: Any, url: str) -> None:
    order = demo("shipped")
    tracking = client(url).tracking(order["number"], by_email(order))
    raw = raw_order(app, order["number"])
    shipment = next(
        s for s in table(app, "order_carriers").values() if s["id_order"] == str(raw["id"])
    )
    number = shipment["tracking_number"]
    assert tracking.status == OrderStatus.SHIPPED and tracking.carrier == "Mondial Relay"
    assert tracking.tracking_number == number and number.startswith("MR")
    assert tracking.tracking_url == (
        f"https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition={number}"
    )
    shipped = max(
        datetime.strptime(h["date_add"], "%Y-%m-%d %H:%M:%S").date()
        for h in table(app, "order_histories").values()
        if h["id_order"] == str(raw["id"]) and h["id_order_state"] == "4"
    )
    assert tracking.expected_delivery == shipped + timedelta(days=5)  # "3 à 5 jours"
    assert not tracking.delayed and tracking.delivered_at is None


def test_a_delivered_order_has_its_withdrawal_period(url: str) -> None:
    order = demo("delivered")
    found = client(url).verify_order(order["number"], by_email(order))
    assert found.tracking.delivered_at is not None
    assert found.return_deadline == found.tracking.delivered_at.date() + timedelta(days=14)
    blocked = [i for i in found.items if not i.returnable]
    assert blocked and all("personnalisé" in (i.return_blocker or "") for i in blocked)


def test_cancel_a_paid_order_changes_its_state(app: Any, url: str) -> None:
    order = demo("paid", 1)
    shop = client(url)
    cancelled = shop.cancel_order(order["number"], by_email(order))
    assert cancelled.status == OrderStatus.CANCELLED and not cancelled.cancellable
    raw = raw_order(app, order["number"])
    assert raw["current_state"] == "6"
    posts = [(m, p, q) for m, p, q in app.state.calls if m == "POST"]
    assert posts == [("POST", "/api/order_histories", "sendemail=1")]
    again = shop.verify_order(order["number"], by_email(order))
    assert again.status == OrderStatus.CANCELLED
    with pytest.raises(NotAllowed) as err:
        shop.cancel_order(order["number"], by_email(order))
    assert err.value.code == "already_cancelled"


@pytest.mark.parametrize("status", ["shipped", "delivered", "delayed"])
def test_cancel_after_shipping_is_not_allowed(app: Any, url: str, status: str) -> None:
    order = demo(status)
    before = raw_order(app, order["number"])["current_state"]
    with pytest.raises(NotAllowed) as err:
        client(url).cancel_order(order["number"], by_email(order))
    assert "entrepôt" in str(err.value)
    assert raw_order(app, order["number"])["current_state"] == before
    assert not [c for c in app.state.calls if c[0] == "POST"]


def test_what_the_webservice_cannot_do_is_not_supported(url: str) -> None:
    order = demo("preparing")
    shop = client(url)
    address = Address(name="Camille Martin", line1="1 rue Neuve", postcode="69001", city="Lyon")
    for call in (
        lambda p: shop.change_address(order["number"], p, address),
        lambda p: shop.create_return(order["number"], p, ["TH-VERT-100"], "trop grand"),
        lambda p: shop.create_claim(order["number"], p, ClaimKind.DAMAGED, "cassé"),
    ):
        with pytest.raises(NotSupported) as err:
            call(by_email(order))
        assert str(err.value) == NOT_SUPPORTED
        with pytest.raises(VerificationFailed):  # the proof is checked first all the same
            call(Verification(email="intrus@exemple.fr"))


def test_refunds_are_the_credit_slips(app: Any, url: str) -> None:
    shop = client(url)
    cancelled = demo("cancelled")
    (refund,) = shop.refunds(cancelled["number"], by_email(cancelled))
    raw = raw_order(app, cancelled["number"])
    assert refund.amount == round(float(raw["total_paid_tax_incl"]), 2)
    assert refund.status == "refunded" and refund.reason == "Remboursement"
    assert shop.verify_order(cancelled["number"], by_email(cancelled)).refunds == [refund]
    partial = demo("delivered", 1)
    (part,) = shop.refunds(partial["number"], by_email(partial))
    assert part.reason == "Remboursement partiel" and part.amount < 50
    assert shop.refunds(demo("paid")["number"], by_email(demo("paid"))) == []


def test_shipping_methods_come_from_the_carriers(url: str) -> None:
    methods = {m.carrier: m for m in client(url).shipping_methods()}
    assert list(methods) == ["Retrait en boutique", "Colissimo", "Chronopost", "Mondial Relay"]
    colissimo = methods["Colissimo"]
    assert (colissimo.min_days, colissimo.max_days, colissimo.price) == (2, 3, 5.9)
    assert colissimo.free_above == 49.0
    assert (methods["Chronopost"].min_days, methods["Chronopost"].max_days) == (1, 1)
    assert methods["Retrait en boutique"].price == 0.0
    assert methods["Retrait en boutique"].free_above is None


def test_carrier_delays_are_read_from_their_text() -> None:
    assert carrier_days("Livraison en 2 à 3 jours") == (2, 3)
    assert carrier_days("Livraison express en 24 h") == (1, 1)
    assert carrier_days("Sous 48h") == (2, 2)
    assert carrier_days("Rapide !") is None


def test_return_policy_is_the_settings(url: str) -> None:
    policy = client(url).return_policy()
    assert policy.withdrawal_days == 14 and policy.refund_delay_days == 14


# -- delays (polled) --------------------------------------------------------------------


def test_delays_reports_each_late_order_once(app: Any, url: str) -> None:
    shop = client(url)
    assert isinstance(shop, PolledDelays)
    numbers = [d["number"] for d in demo_orders(TODAY)]
    late = {d["number"] for d in demo_orders(TODAY) if d["status"] == "delayed"}
    first = shop.delays(numbers)
    assert {e.order_number for e in first} == late
    kinds = sorted(e.event_id.split(":")[2] for e in first)
    assert kinds == ["history", "history", "overdue", "overdue"]
    assert [e.event_id for e in client(url).delays(numbers)] == [e.event_id for e in first]
    marked = next(e for e in first if ":history:" in e.event_id)
    raw = raw_order(app, marked.order_number)
    row = max(
        (h for h in table(app, "order_histories").values() if h["id_order"] == str(raw["id"])),
        key=lambda h: h["id"],
    )
    assert marked.event_id == f"prestashop:{marked.order_number}:history:{row['id']}"


def test_an_order_on_time_is_not_a_delay(url: str) -> None:
    numbers = [demo(s)["number"] for s in ("paid", "shipped", "delivered", "cancelled")]
    assert client(url).delays(numbers + ["pas-une-ref"]) == []


def test_the_delay_state_can_be_named_by_its_id(url: str) -> None:
    numbers = [d["number"] for d in demo_orders(TODAY) if d["status"] == "delayed"]
    by_id = client(url, delay_states=[14]).delays(numbers)
    assert len([e for e in by_id if ":history:" in e.event_id]) == 2
    none = client(url, delay_states=["Colis bloqué"]).delays(numbers)
    assert all(":overdue:" in e.event_id for e in none) and len(none) == 4


# -- wiring -----------------------------------------------------------------------------


def test_the_factory_builds_it_from_settings(url: str) -> None:
    s = settings(shop="prestashop", prestashop_url=url, prestashop_key=KEY)
    shop = shop_client(s)
    assert isinstance(shop, PrestaShopClient)
    order = demo("preparing")
    assert shop.verify_order(order["number"], by_email(order)).status == OrderStatus.PREPARING


def test_demo_orders_are_deterministic() -> None:
    first, second = demo_orders(TODAY), demo_orders(TODAY)
    assert first == second and len(first) == 24
    assert {d["status"] for d in first} == {
        "paid",
        "preparing",
        "shipped",
        "delivered",
        "delayed",
        "cancelled",
    }
    assert all(d["email"].endswith("@exemple.fr") for d in first)


def test_one_checkout_split_over_two_orders(app: Any, url: str) -> None:
    order = demo("paid")
    raw = raw_order(app, order["number"])
    second = {
        **raw,
        "id": max(table(app, "orders")) + 1,
        "total_paid_tax_incl": "10.000000",
        "associations": {"order_rows": [{**raw["associations"]["order_rows"][0], "id": "9"}]},
    }
    table(app, "orders")[second["id"]] = second
    found = client(url).verify_order(order["number"], by_email(order))
    assert len(found.items) == len(order["items"]) + 1
    assert found.total == round(float(raw["total_paid_tax_incl"]) + 10, 2)
    with pytest.raises(NotSupported):  # cancelling one of the two would mislead
        client(url).cancel_order(order["number"], by_email(order))
    assert raw["current_state"] == second["current_state"] == "2"


def test_a_key_without_configurations_uses_the_default_state_ids(
    app: Any, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app.state.forbidden = {"configurations"}
    shop = client(url)
    with caplog.at_level(logging.WARNING):
        for expected in demo_orders(TODAY)[:6]:
            assert (
                shop.verify_order(expected["number"], by_email(expected)).status.value
                == (expected["status"])
            )
    assert "configurations" in caplog.text
    app.state.forbidden = {"orders"}
    with pytest.raises(ShopUnavailable) as err:
        shop.verify_order(demo("paid")["number"], by_email(demo("paid")))
    assert err.value.code == "unauthorized"
