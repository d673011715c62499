"""Demo shop API: authentication, proof of ownership, tracking, cancellation, address change,
catalogue endpoints, and the shape of every error (TestClient over a real SQLite file)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.clients.shop.models import (
    ApiError,
    Order,
    OrderStatus,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
)

from .conftest import API_KEY, Orders

S = OrderStatus
V1_CALLS = [
    ("post", "/v1/orders/CM000000/verify"),
    ("post", "/v1/orders/CM000000/tracking"),
    ("post", "/v1/orders/CM000000/cancel"),
    ("post", "/v1/orders/CM000000/address"),
    ("post", "/v1/orders/CM000000/returns"),
    ("post", "/v1/orders/CM000000/refunds"),
    ("post", "/v1/orders/CM000000/claims"),
    ("get", "/v1/shipping-methods"),
    ("get", "/v1/return-policy"),
]


def _error(response, status: int, code: str) -> ApiError:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    error = ApiError.model_validate(response.json()["detail"])
    assert error.code == code and error.message
    return error


@pytest.mark.parametrize("method, path", V1_CALLS)
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_every_v1_endpoint_needs_the_api_key(
    ro_client: TestClient, method: str, path: str, key: str | None
) -> None:
    headers = {"X-API-Key": key} if key else {}
    ro_client.headers.pop("X-API-Key")
    body = {"json": {"email": "a@b.fr"}} if method == "post" else {}
    response = getattr(ro_client, method)(path, headers=headers, **body)
    _error(response, 401, "unauthorized")


def test_health_and_docs_need_no_key(ro_client: TestClient) -> None:
    ro_client.headers.pop("X-API-Key")
    assert ro_client.get("/health").json() == {"status": "ok"}
    assert ro_client.get("/docs").status_code == 200
    assert "/v1/orders/{number}/verify" in ro_client.get("/openapi.json").json()["paths"]


def test_no_proof_is_ever_asked_in_a_url(ro_client: TestClient) -> None:
    """URLs end up in access logs: every proof is in a documented JSON body instead."""
    paths = ro_client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not names & {"email", "postcode"}, (method, path)
    for read in ("tracking", "refunds"):
        operations = paths[f"/v1/orders/{{number}}/{read}"]
        assert set(operations) == {"post"} and "requestBody" in operations["post"]
        assert operations["post"]["description"]  # /docs says why a read is a POST


def test_verify_by_email_ignores_case_and_spaces(ro_client: TestClient, ro_orders: Orders) -> None:
    sample = ro_orders.find(S.SHIPPED)
    response = ro_client.post(
        f"/v1/orders/{sample.number}/verify", json={"email": f"  {sample.email.upper()} "}
    )
    assert response.status_code == 200
    order = Order.model_validate(response.json())
    assert order.number == sample.number and order.status == S.SHIPPED
    assert order.tracking.carrier and order.tracking.tracking_url
    assert not order.cancellable and not order.address_changeable


@pytest.mark.parametrize("form", ["{n}", "{n_lower}", "{digits}", " {n} "])
def test_order_numbers_are_normalised_by_the_server(
    ro_client: TestClient, ro_orders: Orders, form: str
) -> None:
    sample = ro_orders.find(S.PAID)
    number = form.format(n=sample.number, n_lower=sample.number.lower(), digits=sample.number[2:])
    response = ro_client.post(f"/v1/orders/{number}/verify", json=sample.by_postcode)
    assert response.status_code == 200 and response.json()["number"] == sample.number


def test_unknown_and_malformed_numbers_are_404(ro_client: TestClient) -> None:
    _error(
        ro_client.post("/v1/orders/CM000001/verify", json={"postcode": "75011"}),
        404,
        "order_not_found",
    )
    error = _error(
        ro_client.post("/v1/orders/hello/verify", json={"postcode": "75011"}),
        404,
        "order_not_found",
    )
    assert "CM" in error.message


def test_wrong_email_or_postcode_is_403_and_reveals_nothing(
    ro_client: TestClient, ro_orders: Orders
) -> None:
    sample = ro_orders.find(S.DELIVERED)
    wrong_postcode = "99999" if sample.postcode != "99999" else "11111"
    for proof in (
        {"email": "quelquun@exemple.fr"},
        {"postcode": wrong_postcode},
        {"email": sample.email, "postcode": wrong_postcode},
    ):
        response = ro_client.post(f"/v1/orders/{sample.number}/verify", json=proof)
        error = _error(response, 403, "verification_failed")
        text = response.text
        for secret in (
            sample.email,
            sample.postcode,
            sample.order.first_name,
            sample.order.shipping_address.city,
            sample.order.status.value,
        ):
            assert secret not in text and secret not in error.message


def test_missing_or_malformed_proof_is_422(ro_client: TestClient, ro_orders: Orders) -> None:
    number = ro_orders.find(S.PAID).number
    _error(ro_client.post(f"/v1/orders/{number}/verify", json={}), 422, "proof_required")
    _error(
        ro_client.post(f"/v1/orders/{number}/verify", json={"email": " "}), 422, "proof_required"
    )
    _error(
        ro_client.post(f"/v1/orders/{number}/verify", json={"postcode": "7501"}),
        422,
        "invalid_postcode",
    )
    _error(
        ro_client.post(
            f"/v1/orders/{number}/verify",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        ),
        422,
        "invalid_request",
    )


def test_wrong_proofs_are_throttled_per_client_not_per_order(
    client: TestClient, orders: Orders
) -> None:
    """Ten wrong postcodes from one client make *that client* wait; the owner, asking from
    another client, still gets their order; a guesser changing clients hits a per-order cap."""
    sample = orders.find(S.PREPARING)
    url = f"/v1/orders/{sample.number}/verify"
    guesser = {"X-Comptoir-Client": "guesser"}
    for _ in range(10):
        _error(
            client.post(url, json={"postcode": "00000"}, headers=guesser),
            403,
            "verification_failed",
        )
    _error(client.post(url, json=sample.by_postcode, headers=guesser), 429, "too_many_attempts")
    owner = client.post(url, json=sample.by_postcode, headers={"X-Comptoir-Client": "owner"})
    assert owner.status_code == 200 and owner.json()["number"] == sample.number
    for n in range(9):  # 10 + 90 wrong proofs from ten clients: the order's own cap
        for _ in range(10):
            client.post(url, json={"postcode": "00000"}, headers={"X-Comptoir-Client": f"g{n}"})
    _error(
        client.post(url, json=sample.by_postcode, headers={"X-Comptoir-Client": "new"}),
        429,
        "too_many_attempts",
    )


def test_tracking_by_proof_in_the_body(ro_client: TestClient, ro_orders: Orders) -> None:
    sample = ro_orders.find(S.DELAYED)
    response = ro_client.post(f"/v1/orders/{sample.number}/tracking", json=sample.by_email)
    assert response.status_code == 200
    tracking = Tracking.model_validate(response.json())
    assert tracking.delayed and tracking.status == S.DELAYED and tracking.events
    assert tracking.tracking_number and tracking.tracking_number in (tracking.tracking_url or "")
    _error(
        ro_client.post(f"/v1/orders/{sample.number}/tracking", json={"postcode": "00000"}),
        403,
        "verification_failed",
    )
    _error(
        ro_client.post("/v1/orders/CM000002/tracking", json=sample.by_email),
        404,
        "order_not_found",
    )
    _error(ro_client.post(f"/v1/orders/{sample.number}/tracking", json={}), 422, "proof_required")


def test_a_proof_in_the_query_string_is_not_served(ro_client: TestClient, ro_orders: Orders):
    """The former GET with ?email= is refused outright (405), not read as "no such order"."""
    sample = ro_orders.find(S.SHIPPED)
    for read in ("tracking", "refunds"):
        url = f"/v1/orders/{sample.number}/{read}"
        _error(ro_client.get(url, params=sample.by_email), 405, "method_not_allowed")


def test_tracking_of_an_order_not_shipped_yet(ro_client: TestClient, ro_orders: Orders) -> None:
    sample = ro_orders.find(S.PREPARING)
    tracking = ro_client.post(
        f"/v1/orders/{sample.number}/tracking", json=sample.by_postcode
    ).json()
    assert tracking["carrier"] is None and tracking["events"] == []
    assert tracking["status"] == "preparing"


@pytest.mark.parametrize("status", [S.PAID, S.PREPARING])
def test_cancel_before_shipping_refunds(
    client: TestClient, orders: Orders, status: OrderStatus
) -> None:
    sample = orders.find(status)
    assert sample.order.cancellable
    response = client.post(f"/v1/orders/{sample.number}/cancel", json=sample.by_email)
    assert response.status_code == 200, response.text
    order = Order.model_validate(response.json())
    assert order.status == S.CANCELLED and not order.cancellable
    assert len(order.refunds) == 1
    assert order.refunds[0].amount == sample.order.total
    assert order.refunds[0].status == "processing" and order.refunds[0].expected_by
    _error(
        client.post(f"/v1/orders/{sample.number}/cancel", json=sample.by_email),
        409,
        "not_cancellable",
    )


@pytest.mark.parametrize("status", [S.SHIPPED, S.OUT_FOR_DELIVERY, S.DELAYED, S.DELIVERED])
def test_cancel_after_shipping_is_409_with_the_reason(
    client: TestClient, orders: Orders, status: OrderStatus
) -> None:
    sample = orders.find(status)
    error = _error(
        client.post(f"/v1/orders/{sample.number}/cancel", json=sample.by_postcode),
        409,
        "not_cancellable",
    )
    assert "expédiée" in error.message or "livrée" in error.message
    again = client.post(f"/v1/orders/{sample.number}/verify", json=sample.by_postcode).json()
    assert (
        again["status"] == status.value
        and again["refunds"] == sample.order.model_dump(mode="json")["refunds"]
    )


NEW_ADDRESS = {
    "name": "Camille Martin",
    "line1": "12 rue de la Paix",
    "line2": "Bâtiment A",
    "postcode": "44000",
    "city": "Nantes",
}


def test_address_change_before_shipping(client: TestClient, orders: Orders) -> None:
    sample = orders.find(S.PREPARING)
    response = client.post(
        f"/v1/orders/{sample.number}/address", json={**sample.by_email, "address": NEW_ADDRESS}
    )
    assert response.status_code == 200, response.text
    assert response.json()["shipping_address"] == {**NEW_ADDRESS, "country": "FR"}
    verify = client.post(f"/v1/orders/{sample.number}/verify", json={"postcode": "44000"})
    assert verify.status_code == 200 and verify.json()["shipping_address"]["city"] == "Nantes"


def test_address_change_after_shipping_is_409(client: TestClient, orders: Orders) -> None:
    sample = orders.find(S.SHIPPED)
    error = _error(
        client.post(
            f"/v1/orders/{sample.number}/address", json={**sample.by_email, "address": NEW_ADDRESS}
        ),
        409,
        "address_locked",
    )
    assert "parti" in error.message


def test_address_must_be_valid(ro_client: TestClient, ro_orders: Orders) -> None:
    sample = ro_orders.find(S.PAID)
    _error(
        ro_client.post(
            f"/v1/orders/{sample.number}/address",
            json={**sample.by_email, "address": {**NEW_ADDRESS, "postcode": "4400"}},
        ),
        422,
        "invalid_request",
    )


def test_shipping_methods(ro_client: TestClient) -> None:
    answer = ro_client.get("/v1/shipping-methods").json()
    methods = [ShippingMethod.model_validate(m) for m in answer]
    by_carrier = {m.carrier for m in methods}
    assert {"Colissimo", "Mondial Relay", "Chronopost", "DPD"} <= by_carrier
    colissimo = next(m for m in methods if m.code == "colissimo_domicile")
    assert (colissimo.price, colissimo.free_above, colissimo.min_days, colissimo.max_days) == (
        4.90,
        60.0,
        2,
        3,
    )


def test_return_policy(ro_client: TestClient) -> None:
    policy = ReturnPolicy.model_validate(ro_client.get("/v1/return-policy").json())
    assert policy.withdrawal_days == 14 and policy.refund_delay_days == 14
    assert any("rétractation" in rule for rule in policy.rules)


def test_unknown_route_and_method_keep_the_error_shape(ro_client: TestClient) -> None:
    _error(ro_client.get("/v1/nothing-here"), 404, "not_found")
    _error(ro_client.delete("/v1/shipping-methods"), 405, "method_not_allowed")


def test_api_key_from_argument_wins(db_url: str) -> None:
    from bot.demo_shop.api import create_app

    with TestClient(create_app(db_url, "other-key")) as other:
        assert other.get("/v1/return-policy", headers={"X-API-Key": API_KEY}).status_code == 401
        assert other.get("/v1/return-policy", headers={"X-API-Key": "other-key"}).status_code == 200
