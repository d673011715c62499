"""Demo shop API after delivery: returns and their labels, refunds, claims — each rule the
shop enforces, with the French reason a shopper will read."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.clients.shop.models import ApiError, Claim, Order, OrderStatus, Refund, ReturnInfo
from bot.demo_shop import rules
from bot.demo_shop.api import label_token

from .conftest import LABEL_SECRET, Orders, Sample

S = OrderStatus


def _error(response, status: int, code: str) -> ApiError:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    error = ApiError.model_validate(response.json()["detail"])
    assert error.code == code and error.message
    return error


def _today() -> datetime:
    return rules.shop_now()


def _returnable(orders: Orders, skip: int = 0) -> Sample:
    return orders.find(
        S.DELIVERED,
        lambda o: not o.returns and len(o.items) >= 1 and all(i.returnable for i in o.items),
        skip=skip,
    )


def _return(client: TestClient, sample: Sample, skus: list[str], proof: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/orders/{sample.number}/returns",
        json={**(proof or sample.by_email), "skus": skus, "reason": "Trop petit"},
    )


def test_return_of_every_item_creates_rma_label_and_refund(
    client: TestClient, orders: Orders
) -> None:
    sample = _returnable(orders)
    skus = [i.sku for i in sample.order.items]
    response = _return(client, sample, [s.lower() for s in skus], sample.by_postcode)
    assert response.status_code == 201, response.text
    info = ReturnInfo.model_validate(response.json())
    assert re.match(r"^RMA-\d{4}-\d{6}$", info.rma) and info.status == "created"
    assert sorted(info.items) == sorted(skus) and info.refund_delay_days == 14
    assert re.match(
        rf"^http://testserver/labels/{info.rma}\.pdf\?expires=\d+&token=[0-9a-f]{{32}}$",
        info.label_url,
    )
    assert "Colissimo" in info.instructions and "14 jours" in info.instructions
    order = Order.model_validate(
        client.post(f"/v1/orders/{sample.number}/verify", json=sample.by_email).json()
    )
    assert order.status == S.RETURNED and order.returns[0].rma == info.rma
    assert not any(i.returnable for i in order.items)
    refund = order.refunds[-1]
    assert refund.status == "pending" and info.rma in refund.reason
    assert refund.amount == order.total  # whole order sent back: delivery cost refunded too


def test_partial_return_keeps_the_order_delivered(client: TestClient, orders: Orders) -> None:
    sample = orders.find(
        S.DELIVERED,
        lambda o: not o.returns and len(o.items) >= 2 and all(i.returnable for i in o.items),
    )
    first = sample.order.items[0]
    assert _return(client, sample, [first.sku]).status_code == 201
    order = client.post(f"/v1/orders/{sample.number}/verify", json=sample.by_email).json()
    assert order["status"] == "delivered"
    flags = {i["sku"]: i["returnable"] for i in order["items"]}
    assert flags[first.sku] is False and all(v for k, v in flags.items() if k != first.sku)
    assert order["refunds"][-1]["amount"] == round(first.unit_price * first.quantity, 2)
    error = _error(_return(client, sample, [first.sku]), 409, "not_returnable")
    assert "déjà" in error.message and first.name in error.message


def test_label_link_opens_without_key_but_not_without_signature(
    client: TestClient, orders: Orders
) -> None:
    info = _return(client, _returnable(orders), [_returnable(orders).order.items[0].sku]).json()
    path = info["label_url"].removeprefix("http://testserver")
    client.headers.pop("X-API-Key")
    pdf = client.get(path)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4") and info["rma"].encode() in pdf.content
    bare = path.split("?")[0]
    _error(client.get(bare), 401, "unauthorized")
    _error(client.get(bare + "?token=" + "0" * 32), 401, "unauthorized")
    assert client.get(bare, headers={"X-API-Key": "test-key"}).status_code == 200
    _error(
        client.get("/labels/RMA-2026-999999.pdf", headers={"X-API-Key": "test-key"}),
        404,
        "return_not_found",
    )


def test_label_links_need_their_own_secret_and_expire(client: TestClient, orders: Orders) -> None:
    """Knowing the API key does not forge a label link (it has its own secret), and a link
    stops working after its date."""
    info = _return(client, _returnable(orders), [_returnable(orders).order.items[0].sku]).json()
    rma, expires = info["rma"], int(info["label_url"].split("expires=")[1].split("&")[0])
    client.headers.pop("X-API-Key")
    now = client.app.state.clock().timestamp()  # type: ignore[attr-defined]
    assert now + 29 * 86400 < expires <= now + 30 * 86400 + 5
    with_key = label_token("test-key", rma, expires)
    _error(client.get(f"/labels/{rma}.pdf?expires={expires}&token={with_key}"), 401, "unauthorized")
    later = expires + 10 * 86400  # a link whose date the shopper pushed back
    _error(
        client.get(
            f"/labels/{rma}.pdf?expires={later}&token=" + info["label_url"].split("token=")[1]
        ),
        401,
        "unauthorized",
    )
    past = int(now) - 60
    old_link = f"/labels/{rma}.pdf?expires={past}&token={label_token(LABEL_SECRET, rma, past)}"
    error = _error(client.get(old_link), 410, "link_expired")
    assert "expiré" in error.message


def test_opened_cosmetic_cannot_be_returned(client: TestClient, orders: Orders) -> None:
    today = _today().date()
    sample = orders.find(
        S.DELIVERED,
        lambda o: (
            o.return_deadline is not None
            and o.return_deadline >= today
            and any(i.return_blocker == rules.OPENED_BLOCKER for i in o.items)
        ),
    )
    opened = next(i for i in sample.order.items if i.return_blocker == rules.OPENED_BLOCKER)
    assert opened.category in ("cosmétiques", "parfum") and not opened.returnable
    error = _error(
        _return(client, sample, [i.sku for i in sample.order.items]), 409, "not_returnable"
    )
    assert f"« {opened.name} »" in error.message and "hygiène" in error.message
    after = client.post(f"/v1/orders/{sample.number}/verify", json=sample.by_email).json()
    assert len(after["returns"]) == len(sample.order.returns)  # nothing was half-created


def test_hygiene_personalised_and_gift_items_are_refused(
    client: TestClient, orders: Orders
) -> None:
    today = _today().date()
    sample = orders.find(
        S.DELIVERED,
        lambda o: (
            o.return_deadline is not None
            and o.return_deadline >= today
            and any(i.category in rules.NEVER_RETURNABLE for i in o.items)
        ),
    )
    item = next(i for i in sample.order.items if i.category in rules.NEVER_RETURNABLE)
    error = _error(_return(client, sample, [item.sku]), 409, "not_returnable")
    assert rules.NEVER_RETURNABLE[item.category] in error.message


def test_return_after_14_days_is_refused(client: TestClient, orders: Orders) -> None:
    today = _today().date()
    sample = orders.find(
        S.DELIVERED, lambda o: o.return_deadline is not None and o.return_deadline < today
    )
    assert all(not i.returnable for i in sample.order.items)
    error = _error(_return(client, sample, [sample.order.items[0].sku]), 409, "not_returnable")
    assert "délai" in error.message and "14 jours" in error.message


def test_return_before_delivery_or_after_cancellation_is_refused(
    client: TestClient, orders: Orders
) -> None:
    shipped = orders.find(S.SHIPPED)
    _error(_return(client, shipped, [shipped.order.items[0].sku]), 409, "not_delivered")
    cancelled = orders.find(S.CANCELLED)
    error = _error(
        _return(client, cancelled, [cancelled.order.items[0].sku]), 409, "not_returnable"
    )
    assert "annulée" in error.message
    returned = orders.find(
        S.RETURNED, lambda o: o.return_deadline is not None and o.return_deadline >= _today().date()
    )
    error = _error(_return(client, returned, [returned.order.items[0].sku]), 409, "not_returnable")
    assert "déjà" in error.message


def test_return_of_unknown_or_no_article_is_422(client: TestClient, orders: Orders) -> None:
    sample = _returnable(orders)
    error = _error(_return(client, sample, ["ZZZ-0000"]), 422, "unknown_sku")
    assert "ZZZ-0000" in error.message
    _error(_return(client, sample, []), 422, "no_items")
    _error(
        client.post(f"/v1/orders/{sample.number}/returns", json=sample.by_email),
        422,
        "invalid_request",
    )
    _error(
        _return(client, sample, [sample.order.items[0].sku], {"email": "x@exemple.fr"}),
        403,
        "verification_failed",
    )


def test_refunds_of_a_cancelled_order(client: TestClient, orders: Orders) -> None:
    sample = orders.find(S.CANCELLED)
    response = client.post(f"/v1/orders/{sample.number}/refunds", json=sample.by_postcode)
    refunds = [Refund.model_validate(r) for r in response.json()]
    assert len(refunds) == 1 and refunds[0].amount == sample.order.total
    assert refunds[0].status in ("processing", "refunded")
    _error(
        client.post(f"/v1/orders/{sample.number}/refunds", json={"email": "x@exemple.fr"}),
        403,
        "verification_failed",
    )
    _error(client.post("/v1/orders/CM000003/refunds", json=sample.by_email), 404, "order_not_found")
    paid = orders.find(S.PAID)
    assert client.post(f"/v1/orders/{paid.number}/refunds", json=paid.by_email).json() == []


def _claim(client: TestClient, sample: Sample, kind: str, skus: list[str] | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        f"/v1/orders/{sample.number}/claims",
        json={
            **sample.by_email,
            "kind": kind,
            "skus": skus or [],
            "description": "Le carton était écrasé",
        },
    )


def _recent(orders: Orders, skip: int = 0) -> Sample:
    today = _today()
    return orders.find(
        S.DELIVERED,
        lambda o: (
            o.tracking.delivered_at is not None
            and (today - o.tracking.delivered_at.replace(tzinfo=None)).days < 20
        ),
        skip=skip,
    )


def test_damaged_item_in_stock_is_reshipped(client: TestClient, orders: Orders) -> None:
    sample = _recent(orders)
    item = sample.order.items[0]
    orders.set_stock(item.sku, 5)
    response = _claim(client, sample, "damaged", [item.sku])
    assert response.status_code == 201, response.text
    claim = Claim.model_validate(response.json())
    assert re.match(r"^RCL-\d{4}-\d{6}$", claim.reference) and claim.resolution == "reship"
    assert orders.stock(item.sku) == 5 - item.quantity
    error = _error(_claim(client, sample, "damaged"), 409, "claim_exists")
    assert claim.reference in error.message


def test_wrong_item_out_of_stock_is_refunded(client: TestClient, orders: Orders) -> None:
    sample = _recent(orders, skip=1)
    item = sample.order.items[0]
    orders.set_stock(item.sku, 0)
    claim = _claim(client, sample, "wrong_item", [item.sku]).json()
    assert claim["resolution"] == "refund"
    refunds = client.post(f"/v1/orders/{sample.number}/refunds", json=sample.by_email).json()
    assert refunds[-1]["reason"] == f"Réclamation {claim['reference']}"
    assert refunds[-1]["amount"] == round(item.unit_price * item.quantity, 2)


def test_missing_parcel_marked_delivered(app: FastAPI, client: TestClient, orders: Orders) -> None:
    sample, later = _recent(orders), _recent(orders, skip=1)
    delivered = sample.order.tracking.delivered_at.replace(tzinfo=None)  # type: ignore[union-attr]
    app.state.clock = lambda: delivered + timedelta(hours=20)
    assert _claim(client, sample, "missing").json()["resolution"] == "investigation"
    delivered = later.order.tracking.delivered_at.replace(tzinfo=None)  # type: ignore[union-attr]
    app.state.clock = lambda: delivered + timedelta(days=3)
    assert _claim(client, later, "missing").json()["resolution"] in ("reship", "refund")


def test_missing_parcel_long_delayed_is_replaced(
    app: FastAPI, client: TestClient, orders: Orders
) -> None:
    lost, late = orders.find(S.DELAYED), orders.find(S.DELAYED, skip=1)

    def days_after_expected(sample: Sample, days: int) -> datetime:
        expected = sample.order.tracking.expected_delivery
        assert expected is not None
        return datetime.combine(expected, datetime.min.time()) + timedelta(days=days)

    app.state.clock = lambda: days_after_expected(lost, 8)
    assert _claim(client, lost, "missing").json()["resolution"] in ("reship", "refund")
    app.state.clock = lambda: days_after_expected(late, 1)
    assert _claim(client, late, "missing").json()["resolution"] == "investigation"


def test_claims_before_delivery_or_on_closed_orders_are_refused(
    client: TestClient, orders: Orders
) -> None:
    _error(_claim(client, orders.find(S.PREPARING), "damaged"), 409, "not_shipped")
    _error(_claim(client, orders.find(S.PAID), "missing"), 409, "not_shipped")
    _error(_claim(client, orders.find(S.CANCELLED), "missing"), 409, "not_shipped")
    _error(_claim(client, orders.find(S.SHIPPED), "wrong_item"), 409, "not_delivered")
    error = _error(_claim(client, orders.find(S.SHIPPED), "missing"), 409, "in_transit")
    assert "livraison prévue" in error.message
    _error(_claim(client, orders.find(S.RETURNED), "damaged"), 409, "already_returned")


def test_claim_input_is_validated(client: TestClient, orders: Orders) -> None:
    sample = _recent(orders)
    _error(_claim(client, sample, "damaged", ["NOPE-1"]), 422, "unknown_sku")
    _error(_claim(client, sample, "stolen"), 422, "invalid_request")
