"""Contract tests of the Shopify adapter against the Admin GraphQL API stand-in.

The stand-in validates every query against a schema written from Shopify's reference, so a
field the adapter asks for and Shopify lacks fails here as it would in a real shop.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
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
from bot.clients.shop.delays import BadSignature, WebhookDelays
from bot.clients.shop.factory import shop_client
from bot.clients.shop.models import Address, ClaimKind, OrderStatus, Verification
from bot.clients.shop.shopify import ShopifyClient
from bot.settings import Settings
from bot.tools.standins import serving
from bot.tools.standins.shopify import (
    API_VERSION,
    TOKEN,
    WEBHOOK_SECRET,
    create_app,
    demo_orders,
    signed_fulfillment_event,
)

DEMO = {o["number"]: o for o in demo_orders()}


@pytest.fixture(scope="module")
def standin() -> Iterator[tuple[Any, str]]:
    app = create_app()
    with serving(app) as url:
        yield app, url


@pytest.fixture(autouse=True)
def no_faults(standin: tuple[Any, str]) -> None:
    standin[0].state.faults.clear()


def make_client(url: str, token: str = TOKEN, **kwargs: Any) -> ShopifyClient:
    settings = Settings(shop="shopify", shopify_url=url, shopify_token=token)
    options = {"retries": 2, "deadline": 1.5, **kwargs}
    return ShopifyClient(url, token, API_VERSION, settings=settings, **options)


@pytest.fixture
def client(standin: tuple[Any, str]) -> ShopifyClient:
    return make_client(standin[1])


def proof(number: str, kind: str = "email") -> Verification:
    return Verification(**{kind: DEMO[number][kind]})


def raw_order(app: Any, number: str) -> dict[str, Any]:
    return next(o for o in app.state.shop.orders if o["name"] == number)


# -- auth, lookup, proof ------------------------------------------------------------------


def test_wrong_token_is_unauthorized_and_names_the_variable(
    standin: tuple[Any, str], caplog: pytest.LogCaptureFixture
) -> None:
    bad = make_client(standin[1], token="shpat_wrong")
    with caplog.at_level(logging.ERROR), pytest.raises(ShopUnavailable) as err:
        bad.verify_order("#1001", proof("#1001"))
    assert err.value.code == "unauthorized"
    assert "COMPTOIR_SHOPIFY_TOKEN" in caplog.text
    assert DEMO["#1001"]["email"] not in caplog.text


def test_wrong_api_version_is_reported_as_configuration(standin: tuple[Any, str]) -> None:
    settings = Settings(shop="shopify", shopify_url=standin[1], shopify_token=TOKEN)
    other = ShopifyClient(standin[1], TOKEN, "2019-01", settings=settings)
    with pytest.raises(ShopUnavailable) as err:
        other.verify_order("#1001", proof("#1001"))
    assert err.value.code == "not_found"


def test_verify_order_maps_a_paid_order(client: ShopifyClient) -> None:
    order = client.verify_order("1002", proof("#1002"))  # typed without the '#'
    assert order.number == "#1002"
    assert order.status == OrderStatus.PAID
    assert order.first_name == DEMO["#1002"]["first_name"]
    assert [i.name for i in order.items] == [i["name"] for i in DEMO["#1002"]["items"]]
    assert order.items[0].unit_price > 0 and order.items[0].category
    assert order.shipping_address.postcode == DEMO["#1002"]["postcode"]
    assert order.shipping_method == "Colissimo - Livraison à domicile"
    assert order.cancellable and order.address_changeable
    assert order.return_deadline is None
    assert order.items[0].return_blocker == "la commande n'est pas encore livrée"


def test_line_items_are_paged_through(standin: tuple[Any, str]) -> None:
    app, url = standin
    small_pages = make_client(url, page_size=2)
    before = app.state.calls
    order = small_pages.verify_order("#1001", proof("#1001"))
    assert len(order.items) == 3  # 2 on the first page, 1 on the next
    assert app.state.calls - before == 2


def test_every_order_maps_to_the_expected_status_and_returnability(client: ShopifyClient) -> None:
    for number, expected in DEMO.items():
        if number in ("#1003", "#1004", "#1006", "#1016"):
            continue  # changed by other tests of this module
        order = client.verify_order(number, proof(number))
        assert order.status.value == expected["status"], number
        assert [i.returnable for i in order.items] == [
            i["returnable"] for i in expected["items"]
        ], number


def test_situations_have_at_least_four_orders_each() -> None:
    counts = Counter(o["status"] for o in DEMO.values())
    for status in ("paid", "preparing", "shipped", "delivered", "delayed", "cancelled"):
        assert counts[status] >= 4, status
    assert all(o["email"].endswith("@exemple.fr") for o in DEMO.values())


def test_unknown_order_is_not_found(client: ShopifyClient) -> None:
    with pytest.raises(OrderNotFound):
        client.verify_order("#9999", Verification(email="camille.martin@exemple.fr"))
    with pytest.raises(OrderNotFound):  # not a name: never sent as a search
        client.verify_order("1001 OR email:*", Verification(email="x@exemple.fr"))


def test_wrong_proof_fails_without_saying_which(client: ShopifyClient) -> None:
    with pytest.raises(VerificationFailed) as by_email:
        client.verify_order("#1001", Verification(email="quelquun@exemple.fr"))
    with pytest.raises(VerificationFailed) as by_postcode:
        client.verify_order("#1001", Verification(postcode="99999"))
    assert str(by_email.value) == str(by_postcode.value)
    with pytest.raises(VerificationFailed):
        client.verify_order("#1001", proof("#1002"))


def test_postcode_and_billing_postcode_are_proofs(client: ShopifyClient) -> None:
    assert client.verify_order("#1001", proof("#1001", "postcode")).number == "#1001"
    # #1006 was billed in Paris 7e and delivered in Bordeaux: both postcodes prove it.
    assert client.verify_order("#1006", Verification(postcode="75007")).number == "#1006"
    assert client.verify_order("#1006", Verification(postcode="33000")).number == "#1006"


def test_a_field_shopify_lacks_fails_the_contract(client: ShopifyClient) -> None:
    with pytest.raises(ShopUnavailable) as err:
        client._graphql("query { orders(first: 1) { nodes { trackingNumber } } }", {})
    assert err.value.code == "graphql_error"


# -- rate limits and outages -------------------------------------------------------------------


def test_429_with_retry_after_is_waited_for(standin: tuple[Any, str]) -> None:
    app, url = standin
    app.state.faults.append({"status": 429, "count": 1, "retry_after": 0.3})
    before, started = app.state.calls, time.monotonic()
    order = make_client(url).verify_order("#1009", proof("#1009"))
    assert order.status == OrderStatus.SHIPPED
    assert time.monotonic() - started >= 0.3
    assert app.state.calls - before == 2


def test_429_longer_than_the_deadline_is_rate_limited(standin: tuple[Any, str]) -> None:
    app, url = standin
    app.state.faults.append({"status": 429, "count": 1, "retry_after": 30})
    started = time.monotonic()
    with pytest.raises(ShopUnavailable) as err:
        make_client(url).verify_order("#1009", proof("#1009"))
    assert err.value.code == "rate_limited"
    assert time.monotonic() - started < 1.6


def test_throttled_query_waits_for_the_bucket(standin: tuple[Any, str]) -> None:
    app, url = standin
    # 10 points needed, none left, 50 restored per second: 0.2 s.
    app.state.faults.append({"throttled": 1, "available": 0, "restore_rate": 50})
    before, started = app.state.calls, time.monotonic()
    order = make_client(url).verify_order("#1010", proof("#1010"))
    assert order.number == "#1010"
    assert time.monotonic() - started >= 0.2
    assert app.state.calls - before == 2


def test_throttled_beyond_the_deadline_is_rate_limited(standin: tuple[Any, str]) -> None:
    app, url = standin
    app.state.faults.append({"throttled": 1, "available": 0, "restore_rate": 1})  # 10 s
    started = time.monotonic()
    with pytest.raises(ShopUnavailable) as err:
        make_client(url).verify_order("#1010", proof("#1010"))
    assert err.value.code == "rate_limited"
    assert time.monotonic() - started < 1.0


def test_5xx_is_retried_then_unavailable(standin: tuple[Any, str]) -> None:
    app, url = standin
    app.state.faults.append({"status": 503, "count": 10})
    before = app.state.calls
    with pytest.raises(ShopUnavailable) as err:
        make_client(url, retries=2).verify_order("#1010", proof("#1010"))
    assert err.value.code == "shop_unavailable"
    assert app.state.calls - before == 3  # the first try and 2 retries


def test_faults_can_be_injected_over_http(standin: tuple[Any, str]) -> None:
    app, url = standin
    fault = {"status": 429, "count": 1, "retry_after": 0.1}
    assert requests.post(url + "/__standin__/faults", json=fault, timeout=2).ok
    before = app.state.calls
    assert make_client(url).verify_order("#1010", proof("#1010")).number == "#1010"
    assert app.state.calls - before == 2


def test_one_5xx_then_success(standin: tuple[Any, str]) -> None:
    app, url = standin
    app.state.faults.append({"status": 502, "count": 1})
    assert make_client(url).verify_order("#1010", proof("#1010")).number == "#1010"


# -- every method's happy path and refusals -----------------------------------------------


def test_tracking_of_a_shipped_order(client: ShopifyClient, standin: tuple[Any, str]) -> None:
    tracking = client.tracking("#1010", proof("#1010"))
    fulfillment = raw_order(standin[0], "#1010")["fulfillments"][0]
    info = fulfillment["trackingInfo"][0]
    assert tracking.status == OrderStatus.SHIPPED and not tracking.delayed
    assert (tracking.carrier, tracking.tracking_number, tracking.tracking_url) == (
        info["company"],
        info["number"],
        info["url"],
    )
    assert tracking.expected_delivery.isoformat() == fulfillment["estimatedDeliveryAt"][:10]
    assert [e.description for e in tracking.events] == [
        "Colis remis au transporteur",
        "Colis en transit",
    ]


def test_tracking_of_late_orders(client: ShopifyClient, standin: tuple[Any, str]) -> None:
    reported = client.tracking("#1018", proof("#1018"))  # the carrier said DELAYED
    assert reported.delayed and reported.status == OrderStatus.DELAYED
    assert reported.events[-1].description == "Colis retardé"
    overdue = client.tracking("#1019", proof("#1019"))  # the expected day has passed
    assert overdue.delayed and overdue.status == OrderStatus.DELAYED


def test_tracking_of_a_delivered_order(client: ShopifyClient) -> None:
    order = client.verify_order("#1013", proof("#1013"))
    assert order.status == OrderStatus.DELIVERED
    assert order.tracking.delivered_at is not None
    assert order.return_deadline is not None
    assert (order.return_deadline - order.tracking.delivered_at.date()).days == 14
    assert not order.cancellable and not order.address_changeable


def test_cancel_a_paid_order_changes_it(client: ShopifyClient, standin: tuple[Any, str]) -> None:
    cancelled = client.cancel_order("#1003", proof("#1003"))
    assert cancelled.status == OrderStatus.CANCELLED and not cancelled.cancellable
    assert raw_order(standin[0], "#1003")["cancelledAt"] is not None
    again = client.verify_order("#1003", proof("#1003"))
    assert again.status == OrderStatus.CANCELLED
    with pytest.raises(NotAllowed) as err:
        client.cancel_order("#1003", proof("#1003"))
    assert err.value.code == "already_cancelled"


def test_cancel_a_preparing_order(client: ShopifyClient) -> None:
    assert client.cancel_order("#1006", proof("#1006")).status == OrderStatus.CANCELLED


def test_cancel_a_shipped_order_is_not_allowed(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    with pytest.raises(NotAllowed) as err:
        client.cancel_order("#1011", proof("#1011"))
    assert err.value.code == "order_shipped"
    assert "expédiée" in str(err.value)
    assert raw_order(standin[0], "#1011")["cancelledAt"] is None


def test_cancel_refused_by_shopify_is_not_allowed(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    standin[0].state.cancel_refusals.add("#1007")
    with pytest.raises(NotAllowed) as err:
        client.cancel_order("#1007", proof("#1007"))
    assert err.value.code == "cancel_refused"
    assert raw_order(standin[0], "#1007")["cancelledAt"] is None


def test_cancel_with_a_wrong_proof_changes_nothing(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    with pytest.raises(VerificationFailed):
        client.cancel_order("#1008", Verification(email="pirate@exemple.fr"))
    assert raw_order(standin[0], "#1008")["cancelledAt"] is None


def test_change_address_before_shipping(client: ShopifyClient, standin: tuple[Any, str]) -> None:
    new = Address(name="Inès Durand", line1="5 rue de la Paix", postcode="75002", city="Paris")
    order = client.change_address("#1004", proof("#1004"), new)
    assert order.shipping_address.line1 == "5 rue de la Paix"
    assert order.shipping_address.postcode == "75002"
    assert raw_order(standin[0], "#1004")["shippingAddress"]["city"] == "Paris"


def test_api_errors_are_logged_without_what_the_shopper_typed(
    client: ShopifyClient, standin: tuple[Any, str], caplog: pytest.LogCaptureFixture
) -> None:
    odd = Address(
        name="Lucas Robert", line1="Rue Zygomatique", postcode="44100", city="Nantes", country="ZZ"
    )
    with caplog.at_level(logging.ERROR), pytest.raises(ShopUnavailable) as err:
        client.change_address("#1005", proof("#1005"), odd)
    assert err.value.code == "graphql_error"  # Shopify has no country ZZ: the schema says so
    assert "countryCode" in caplog.text and "'ZZ'" not in caplog.text
    assert raw_order(standin[0], "#1005")["shippingAddress"]["zip"] == DEMO["#1005"]["postcode"]


def test_change_address_after_shipping_is_not_allowed(client: ShopifyClient) -> None:
    new = Address(name="Léa Bernard", line1="1 rue Neuve", postcode="69002", city="Lyon")
    with pytest.raises(NotAllowed) as err:
        client.change_address("#1012", proof("#1012"), new)
    assert err.value.code == "address_locked"


def test_return_request_of_a_delivered_item(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    order = client.verify_order("#1016", proof("#1016"))
    sku = order.items[0].sku
    created = client.create_return("#1016", proof("#1016"), [sku], "Trop petit")
    stored = raw_order(standin[0], "#1016")
    assert created.rma == "#1016-R1" and created.status == "requested"
    assert created.items == [sku]
    assert created.label_url == stored["statusPageUrl"]
    assert stored["returns"][0]["status"] == "REQUESTED"
    after = client.verify_order("#1016", proof("#1016"))
    assert not after.items[0].returnable  # a return request is open


def test_return_of_a_refunded_item_is_not_allowed(client: ShopifyClient) -> None:
    order = client.verify_order("#1014", proof("#1014"))
    gone = next(i for i in order.items if not i.returnable)
    assert gone.return_blocker == "cet article a déjà été remboursé ou retourné"
    with pytest.raises(NotAllowed):
        client.create_return("#1014", proof("#1014"), [gone.sku], "")


def test_return_after_the_withdrawal_period_is_not_allowed(client: ShopifyClient) -> None:
    order = client.verify_order("#1015", proof("#1015"))
    assert "délai de rétractation" in (order.items[0].return_blocker or "")
    with pytest.raises(NotAllowed):
        client.create_return("#1015", proof("#1015"), [order.items[0].sku], "")


def test_a_returned_and_refunded_order(client: ShopifyClient) -> None:
    order = client.verify_order("#1026", proof("#1026"))
    assert order.status == OrderStatus.RETURNED
    assert [i.return_blocker for i in order.items] == [
        "cet article a déjà été remboursé ou retourné"
    ] * len(order.items)
    assert order.return_deadline is not None
    assert [r.reason for r in order.refunds] == ["Retour reçu en entrepôt"]


def test_refunds(client: ShopifyClient, standin: tuple[Any, str]) -> None:
    refunds = client.refunds("#1022", proof("#1022"))
    total = float(raw_order(standin[0], "#1022")["totalPriceSet"]["shopMoney"]["amount"])
    assert [r.amount for r in refunds] == [total]
    assert refunds[0].status == "refunded"
    assert refunds[0].reason == "Annulation à la demande du client"
    assert client.refunds("#1009", proof("#1009")) == []


def test_claims_are_not_supported(client: ShopifyClient) -> None:
    with pytest.raises(NotSupported) as err:
        client.create_claim("#1013", proof("#1013"), ClaimKind.DAMAGED, "Théière fêlée")
    assert str(err.value) == NOT_SUPPORTED


def test_shipping_methods_come_from_the_delivery_profile(client: ShopifyClient) -> None:
    methods = {m.name: m for m in client.shipping_methods()}
    assert set(methods) == {"Colissimo", "Chronopost", "Mondial Relay"}  # France, active only
    assert (methods["Colissimo"].price, methods["Colissimo"].free_above) == (4.90, 60.0)
    assert (methods["Chronopost"].price, methods["Chronopost"].free_above) == (12.90, None)
    assert methods["Chronopost"].max_days <= methods["Mondial Relay"].max_days


def test_return_policy_follows_the_settings(standin: tuple[Any, str]) -> None:
    settings = Settings(
        shop="shopify",
        shopify_url=standin[1],
        shopify_token=TOKEN,
        shop_withdrawal_days=30,
    )
    policy = ShopifyClient.from_settings(settings).return_policy()
    assert policy.withdrawal_days == 30
    assert "30 jours" in policy.rules[0]


def test_factory_builds_the_shopify_client(standin: tuple[Any, str]) -> None:
    settings = Settings(shop="shopify", shopify_url=standin[1], shopify_token=TOKEN)
    built = shop_client(settings)
    assert isinstance(built, ShopifyClient)
    assert built.verify_order("#1017", proof("#1017")).status == OrderStatus.DELIVERED


# -- the delay webhook ---------------------------------------------------------------------


def test_delay_webhook_gives_the_order_name_and_new_date(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    assert isinstance(client, WebhookDelays)
    order = raw_order(standin[0], "#1020")
    body, headers = signed_fulfillment_event(order, "delayed", WEBHOOK_SECRET, event_id=42)
    event = client.delay_from_webhook(body, headers, WEBHOOK_SECRET)
    assert event is not None
    assert event.order_number == "#1020"
    assert event.expected_delivery is not None
    expected = order["fulfillments"][0]["estimatedDeliveryAt"][:10]
    assert event.expected_delivery.isoformat() == expected
    assert event.event_id == "shopify-fulfillment-event-42"


def test_delay_webhook_with_a_wrong_signature(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    order = raw_order(standin[0], "#1020")
    body, headers = signed_fulfillment_event(order, "delayed", "not-the-secret")
    with pytest.raises(BadSignature):
        client.delay_from_webhook(body, headers, WEBHOOK_SECRET)
    body, headers = signed_fulfillment_event(order, "delayed", WEBHOOK_SECRET)
    with pytest.raises(BadSignature):  # the body was changed after signing
        client.delay_from_webhook(body.replace(b"delayed", b"DELAYED"), headers, WEBHOOK_SECRET)
    del headers["X-Shopify-Hmac-Sha256"]
    with pytest.raises(BadSignature):
        client.delay_from_webhook(body, headers, WEBHOOK_SECRET)


def test_other_fulfillment_events_announce_no_delay(
    client: ShopifyClient, standin: tuple[Any, str]
) -> None:
    before = standin[0].state.calls
    order = raw_order(standin[0], "#1010")
    for status in ("in_transit", "out_for_delivery", "delivered"):
        body, headers = signed_fulfillment_event(order, status, WEBHOOK_SECRET)
        lowered = {k.lower(): v for k, v in headers.items()}  # header case does not matter
        assert client.delay_from_webhook(body, lowered, WEBHOOK_SECRET) is None
    assert standin[0].state.calls == before  # no API call for an ordinary update
