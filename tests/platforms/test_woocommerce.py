"""WooCommerceClient against the WooCommerce stand-in (bot/tools/standins/woocommerce.py):
auth, errors, rate limits, every ShopClient method, and the order.updated delay webhook."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

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
from bot.clients.shop.delays import BadSignature, DelayEvent, WebhookDelays
from bot.clients.shop.factory import shop_client
from bot.clients.shop.models import Address, ClaimKind, OrderStatus, Verification
from bot.clients.shop.woocommerce import WooCommerceClient
from bot.settings import Settings
from bot.tools.standins import serving
from bot.tools.standins import woocommerce as standin

S = OrderStatus
DEMO = standin.demo_orders()


def _paris_today() -> date:
    """The shop's day (the stand-in and the adapter count in Paris time)."""
    return datetime.now(standin.PARIS).date()


def _pick(status: OrderStatus, returnable: bool | None = None) -> dict[str, Any]:
    for order in DEMO:
        if order["status"] == status.value and (
            returnable is None or order["items"][0]["returnable"] == returnable
        ):
            return order
    raise AssertionError(f"no demo order {status}")


def _email(order: dict[str, Any]) -> Verification:
    return Verification(email=order["email"])


class Shop:
    """A running stand-in: its URL, its app (state, faults, calls) and a client for it."""

    def __init__(self, url: str, app: Any) -> None:
        self.url = url
        self.app = app

    def client(self, key: str = standin.KEY, secret: str = standin.SECRET, **more: Any) -> Any:
        settings = Settings.model_validate(
            {
                "shop": "woocommerce",
                "woocommerce_url": self.url,
                "woocommerce_key": key,
                "woocommerce_secret": secret,
                "shop_deadline": 1.5,
                "shop_retries": 2,
                **more,
            }
        )
        return shop_client(settings)

    def order(self, number: str) -> dict[str, Any]:
        found: dict[str, Any] = self.app.state.store.orders[int(number)]
        return found

    def fault(self, status: int, count: int, retry_after: str | None = None) -> None:
        body = {"status": status, "count": count, "retry_after": retry_after}
        requests.post(f"{self.url}/__standin__/faults", json=body, timeout=5).raise_for_status()

    def calls(self) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = requests.get(
            f"{self.url}/__standin__/calls", timeout=5
        ).json()
        return calls


@pytest.fixture
def shop() -> Iterator[Shop]:
    app = standin.create_app()
    with serving(app) as url:
        yield Shop(url, app)


# -- the demo orders map as the stand-in says ---------------------------------------------


def test_every_demo_order_maps_to_its_status_and_returnability(shop: Shop) -> None:
    client = shop.client()
    assert isinstance(client, WooCommerceClient)
    counts = Counter(o["status"] for o in DEMO)
    for status in (S.PAID, S.PREPARING, S.SHIPPED, S.DELIVERED, S.DELAYED, S.CANCELLED):
        assert counts[status.value] >= 4, status
    for expected in DEMO:
        order = client.verify_order(expected["number"], _email(expected))
        assert order.number == expected["number"]
        assert order.status.value == expected["status"]
        assert order.first_name == expected["first_name"]
        assert [(i.name, i.returnable) for i in order.items] == [
            (i["name"], i["returnable"]) for i in expected["items"]
        ]


def test_order_fields_come_from_the_woocommerce_json(shop: Shop) -> None:
    expected = _pick(S.PAID)
    raw = shop.order(expected["number"])
    order = shop.client().verify_order(expected["number"], _email(expected))
    assert order.total == float(raw["total"])
    assert order.shipping_method == raw["shipping_lines"][0]["method_title"]
    assert order.shipping_address.postcode == raw["shipping"]["postcode"]
    assert order.shipping_address.city == raw["shipping"]["city"]
    line = raw["line_items"][0]
    gross = float(line["total"]) + float(line["total_tax"])
    assert order.items[0].sku == line["sku"]
    assert order.items[0].unit_price == pytest.approx(gross / line["quantity"], abs=0.01)
    assert order.cancellable and order.address_changeable
    assert order.items[0].return_blocker and "pas encore livrée" in order.items[0].return_blocker


# -- authentication ---------------------------------------------------------------------


def test_the_key_goes_as_basic_auth_and_never_in_the_url(shop: Shop) -> None:
    expected = _pick(S.SHIPPED)
    shop.client().verify_order(expected["number"], _email(expected))
    calls = shop.calls()
    assert [c["path"] for c in calls] == [f"/wp-json/wc/v3/orders/{expected['number']}"]
    assert calls[0]["auth"] == f"basic:{standin.KEY}"
    assert "consumer_key" not in calls[0]["query"]
    assert all(expected["email"] not in json.dumps(c) for c in calls)


@pytest.mark.parametrize(
    ("key", "secret"),
    [(standin.KEY, "cs_faux"), ("ck_inconnue", standin.SECRET)],
    ids=["wrong-secret", "unknown-key"],
)
def test_refused_credentials_make_the_shop_unavailable(
    shop: Shop, key: str, secret: str, caplog: pytest.LogCaptureFixture
) -> None:
    expected = _pick(S.PAID)
    with caplog.at_level(logging.ERROR), pytest.raises(ShopUnavailable) as raised:
        shop.client(key, secret).verify_order(expected["number"], _email(expected))
    assert raised.value.code == "unauthorized"
    assert "COMPTOIR_WOOCOMMERCE_SECRET" in caplog.text
    assert len(shop.calls()) == 1  # a refusal is not retried


def test_a_read_only_key_cannot_cancel(shop: Shop) -> None:
    expected = _pick(S.PAID)
    client = shop.client(standin.READ_ONLY_KEY, standin.READ_ONLY_SECRET)
    assert client.verify_order(expected["number"], _email(expected)).status == S.PAID
    with pytest.raises(ShopUnavailable) as raised:
        client.cancel_order(expected["number"], _email(expected))
    assert raised.value.code == "unauthorized"
    assert shop.order(expected["number"])["status"] == "processing"


# -- not found, wrong proof -------------------------------------------------------------


def test_an_unknown_order_is_not_found(shop: Shop) -> None:
    with pytest.raises(OrderNotFound):
        shop.client().verify_order("999999", Verification(email="lea.martin@exemple.fr"))
    assert shop.calls()[0]["path"] == "/wp-json/wc/v3/orders/999999"


def test_a_number_that_is_no_id_is_not_found_without_asking(shop: Shop) -> None:
    with pytest.raises(OrderNotFound):
        shop.client().verify_order("lea.martin@exemple.fr", Verification(postcode="75011"))
    assert shop.calls() == []


def test_a_checkout_draft_is_not_an_order(shop: Shop) -> None:
    draft = next(o for o in shop.app.state.store.orders.values() if o["status"] == "checkout-draft")
    proof = Verification(email=draft["billing"]["email"])
    with pytest.raises(OrderNotFound):
        shop.client().verify_order(str(draft["id"]), proof)


def test_a_wrong_proof_is_refused_and_a_right_postcode_accepted(shop: Shop) -> None:
    expected = _pick(S.SHIPPED)
    client = shop.client()
    for wrong in (Verification(email="quelquun@exemple.fr"), Verification(postcode="99999")):
        with pytest.raises(VerificationFailed):
            client.verify_order(expected["number"], wrong)
    hashed = "#" + expected["number"]
    order = client.verify_order(hashed, Verification(postcode=expected["postcode"]))
    assert order.number == expected["number"]
    with pytest.raises(VerificationFailed):
        client.cancel_order(expected["number"], Verification(email="quelquun@exemple.fr"))


# -- rate limits and server errors ------------------------------------------------------


def test_a_429_is_waited_for_then_answered(shop: Shop) -> None:
    expected = _pick(S.PAID)
    shop.fault(429, 1, retry_after="0.3")
    order = shop.client().verify_order(expected["number"], _email(expected))
    assert order.status == S.PAID
    assert len(shop.calls()) == 2


def test_a_429_longer_than_the_deadline_gives_up(shop: Shop) -> None:
    expected = _pick(S.PAID)
    shop.fault(429, 1, retry_after="5")
    with pytest.raises(ShopUnavailable) as raised:
        shop.client().verify_order(expected["number"], _email(expected))
    assert raised.value.code == "rate_limited"
    assert len(shop.calls()) == 1


def test_5xx_are_retried_then_answered(shop: Shop) -> None:
    expected = _pick(S.PAID)
    shop.fault(503, 2)
    order = shop.client().verify_order(expected["number"], _email(expected))
    assert order.status == S.PAID
    assert len(shop.calls()) == 3


def test_5xx_beyond_the_retries_make_the_shop_unavailable(shop: Shop) -> None:
    expected = _pick(S.PAID)
    shop.fault(500, 3)
    with pytest.raises(ShopUnavailable) as raised:
        shop.client().verify_order(expected["number"], _email(expected))
    assert raised.value.code == "shop_unavailable"
    assert len(shop.calls()) == 3


# -- tracking ---------------------------------------------------------------------------


def test_tracking_reads_the_shipment_tracking_extension(shop: Shop) -> None:
    expected = _pick(S.SHIPPED)
    item = next(
        m["value"][0]
        for m in shop.order(expected["number"])["meta_data"]
        if m["key"] == "_wc_shipment_tracking_items"
    )
    tracking = shop.client().tracking(expected["number"], _email(expected))
    assert tracking.status == S.SHIPPED
    assert tracking.tracking_number == item["tracking_number"]
    assert tracking.carrier in ("Colissimo", "Mondial Relay", "Chronopost")
    assert tracking.tracking_url and item["tracking_number"] in tracking.tracking_url
    assert tracking.expected_delivery is not None and not tracking.delayed


def test_an_order_without_tracking_has_none(shop: Shop) -> None:
    expected = _pick(S.PAID)
    tracking = shop.client().tracking(expected["number"], _email(expected))
    assert (tracking.carrier, tracking.tracking_number, tracking.tracking_url) == (None, None, None)
    assert tracking.status == S.PAID


def test_a_late_order_is_delayed_with_its_new_date(shop: Shop) -> None:
    expected = _pick(S.DELAYED)
    tracking = shop.client().tracking(expected["number"], _email(expected))
    assert tracking.status == S.DELAYED and tracking.delayed
    assert tracking.expected_delivery == _paris_today() + timedelta(days=3)


def test_a_delivered_order_opens_the_withdrawal_period(shop: Shop) -> None:
    recent = _pick(S.DELIVERED, returnable=True)
    old = _pick(S.DELIVERED, returnable=False)
    client = shop.client()
    order = client.verify_order(recent["number"], _email(recent))
    assert order.tracking.delivered_at is not None
    days = client.withdrawal_days
    assert order.return_deadline == order.tracking.delivered_at.date() + timedelta(days=days)
    assert all(i.returnable and i.return_blocker is None for i in order.items)
    late = client.verify_order(old["number"], _email(old))
    assert late.items[0].return_blocker and "dépassé" in late.items[0].return_blocker
    assert not late.cancellable and not late.address_changeable


# -- cancel and address -----------------------------------------------------------------


def test_cancel_a_paid_order(shop: Shop) -> None:
    expected = _pick(S.PAID)
    client = shop.client()
    order = client.cancel_order(expected["number"], _email(expected))
    assert order.status == S.CANCELLED and not order.cancellable
    assert shop.order(expected["number"])["status"] == "cancelled"
    put = shop.calls()[-1]
    assert (put["method"], put["path"]) == ("PUT", f"/wp-json/wc/v3/orders/{expected['number']}")
    with pytest.raises(NotAllowed) as again:
        client.cancel_order(expected["number"], _email(expected))
    assert "déjà annulée" in str(again.value)


@pytest.mark.parametrize("status", [S.SHIPPED, S.DELAYED, S.DELIVERED])
def test_cancel_after_shipping_is_not_allowed(shop: Shop, status: OrderStatus) -> None:
    expected = _pick(status)
    with pytest.raises(NotAllowed) as raised:
        shop.client().cancel_order(expected["number"], _email(expected))
    assert "ne peut plus être annulée" in str(raised.value)
    assert shop.order(expected["number"])["status"] == "completed"
    assert all(c["method"] == "GET" for c in shop.calls())


def test_change_the_address_before_shipping(shop: Shop) -> None:
    expected = _pick(S.PREPARING)
    new = Address(name="Camille Durand", line1="4 rue de la Paix", postcode="75002", city="Paris")
    order = shop.client().change_address(expected["number"], _email(expected), new)
    assert order.shipping_address.line1 == "4 rue de la Paix"
    stored = shop.order(expected["number"])["shipping"]
    assert (stored["first_name"], stored["last_name"], stored["postcode"]) == (
        "Camille",
        "Durand",
        "75002",
    )


def test_the_address_of_a_shipped_order_is_locked(shop: Shop) -> None:
    expected = _pick(S.SHIPPED)
    before = dict(shop.order(expected["number"])["shipping"])
    new = Address(name="Camille Durand", line1="4 rue de la Paix", postcode="75002", city="Paris")
    with pytest.raises(NotAllowed) as raised:
        shop.client().change_address(expected["number"], _email(expected), new)
    assert "déjà parti" in str(raised.value)
    assert shop.order(expected["number"])["shipping"] == before


# -- refunds, returns, claims, shipping, policy -----------------------------------------


def test_refunds_follow_the_pages(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _pick(S.RETURNED)
    monkeypatch.setattr(WooCommerceClient, "PAGE_SIZE", 2)
    refunds = shop.client().refunds(expected["number"], _email(expected))
    stored = shop.app.state.store.refunds[int(expected["number"])]
    assert len(refunds) == len(stored) == 3
    assert sum(r.amount for r in refunds) == pytest.approx(
        float(shop.order(expected["number"])["total"])
    )
    pages = [c["query"].get("page") for c in shop.calls() if c["path"].endswith("/refunds")]
    assert pages == ["1", "2"]
    by_ref = {r.reference: r for r in refunds}
    for row in stored:
        refund = by_ref[f"R{row['id']}"]
        assert refund.status == ("refunded" if row["refunded_payment"] else "processing")
        assert (refund.refunded_at is None) == (not row["refunded_payment"])
        assert (refund.expected_by is None) == row["refunded_payment"]


def test_an_order_without_refunds_has_none(shop: Shop) -> None:
    expected = _pick(S.DELIVERED)
    assert shop.client().refunds(expected["number"], _email(expected)) == []


def test_returns_and_claims_go_to_a_person(shop: Shop) -> None:
    expected = _pick(S.DELIVERED, returnable=True)
    client = shop.client()
    with pytest.raises(NotSupported) as raised:
        client.create_return(expected["number"], _email(expected), ["x"], "trop petit")
    assert str(raised.value) == NOT_SUPPORTED
    with pytest.raises(NotSupported):
        client.create_claim(expected["number"], _email(expected), ClaimKind.DAMAGED, "cassé")
    assert shop.calls() == []  # nothing is written to the shop


def test_shipping_methods_of_the_french_zone(shop: Shop) -> None:
    methods = {m.name: m for m in shop.client().shipping_methods()}
    assert set(methods) == {
        "Colissimo à domicile",
        "Mondial Relay en point relais",
        "Chronopost express 24 h",
        "Retrait à l'atelier (Lyon 3e)",
    }
    colissimo = methods["Colissimo à domicile"]
    assert (colissimo.carrier, colissimo.price, colissimo.free_above) == ("Colissimo", 4.9, 60.0)
    assert (colissimo.min_days, colissimo.max_days) == (2, 3)
    assert methods["Chronopost express 24 h"].max_days == 1
    assert methods["Retrait à l'atelier (Lyon 3e)"].free_above is None
    assert "/wp-json/wc/v3/shipping/zones/1/methods" in [c["path"] for c in shop.calls()]


def test_return_policy_comes_from_the_settings(shop: Shop) -> None:
    policy = shop.client(shop_withdrawal_days=30).return_policy()
    assert policy.withdrawal_days == 30
    assert any("30 jours" in rule for rule in policy.rules)


# -- the order.updated webhook ----------------------------------------------------------


def test_a_signed_delay_makes_one_event(shop: Shop) -> None:
    client = shop.client()
    assert isinstance(client, WebhookDelays)
    expected = _pick(S.PAID)
    until = (_paris_today() + timedelta(days=4)).isoformat()
    answer = requests.post(
        f"{shop.url}/__standin__/orders/{expected['number']}/delay",
        json={"until": until},
        timeout=5,
    ).json()
    body, headers = answer["body"].encode(), answer["headers"]
    event = client.delay_from_webhook(body, headers, standin.WEBHOOK_SECRET)
    assert event == DelayEvent(
        expected["number"], date.fromisoformat(until), f"woocommerce:{expected['number']}:{until}"
    )
    # The same delay delivered again (a new delivery id) names the same event.
    body2, headers2 = standin.webhook_delivery(shop.order(expected["number"]))
    assert headers2["X-WC-Webhook-Delivery-ID"] != headers["X-WC-Webhook-Delivery-ID"]
    again = client.delay_from_webhook(body2, headers2, standin.WEBHOOK_SECRET)
    assert again is not None and again.event_id == event.event_id
    # Not shipped yet: the order stays paid, and says it is late.
    tracking = client.tracking(expected["number"], _email(expected))
    assert (tracking.status, tracking.delayed) == (S.PAID, True)
    assert tracking.expected_delivery == date.fromisoformat(until)


def test_a_shipped_order_marked_late_becomes_delayed(shop: Shop) -> None:
    expected = _pick(S.SHIPPED)
    client = shop.client()
    answer = requests.post(
        f"{shop.url}/__standin__/orders/{expected['number']}/delay", json={}, timeout=5
    ).json()
    event = client.delay_from_webhook(
        answer["body"].encode(), answer["headers"], standin.WEBHOOK_SECRET
    )
    assert event == DelayEvent(
        expected["number"], None, f"woocommerce:{expected['number']}:sans-date"
    )
    assert client.verify_order(expected["number"], _email(expected)).status == S.DELAYED


def test_a_wrong_or_missing_signature_is_refused(shop: Shop) -> None:
    client = shop.client()
    body, headers = standin.webhook_delivery(shop.order(_pick(S.DELAYED)["number"]))
    with pytest.raises(BadSignature):
        client.delay_from_webhook(body, headers, "un-autre-secret")
    with pytest.raises(BadSignature):
        client.delay_from_webhook(body + b" ", headers, standin.WEBHOOK_SECRET)
    unsigned = {k: v for k, v in headers.items() if k != "X-WC-Webhook-Signature"}
    with pytest.raises(BadSignature):
        client.delay_from_webhook(body, unsigned, standin.WEBHOOK_SECRET)
    with pytest.raises(BadSignature):
        client.delay_from_webhook(body, headers, "")


def test_an_ordinary_update_and_the_ping_announce_nothing(shop: Shop) -> None:
    client = shop.client()
    for status in (S.SHIPPED, S.DELIVERED, S.CANCELLED):
        body, headers = standin.webhook_delivery(shop.order(_pick(status)["number"]))
        assert client.delay_from_webhook(body, headers, standin.WEBHOOK_SECRET) is None
    late, headers = standin.webhook_delivery(shop.order(_pick(S.DELAYED)["number"]))
    lowered = {k.lower(): v for k, v in headers.items()}
    assert client.delay_from_webhook(late, lowered, standin.WEBHOOK_SECRET) is not None
    other, headers = standin.webhook_delivery(
        shop.order(_pick(S.DELAYED)["number"]), topic="order.deleted"
    )
    assert client.delay_from_webhook(other, headers, standin.WEBHOOK_SECRET) is None
    ping = {"User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7)"}
    assert client.delay_from_webhook(b"webhook_id=7", ping, standin.WEBHOOK_SECRET) is None
