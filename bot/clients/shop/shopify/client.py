"""`ShopClient` for a Shopify shop, over the Admin GraphQL API (REST is legacy since 2024-10).

One endpoint, POST {shop}/admin/api/{version}/graphql.json, authenticated by the header
X-Shopify-Access-Token (a custom app's Admin API token, scopes read_orders, write_orders,
read_returns, write_returns, read_shipping, and read_products for the catalogue). Shopify
gives any order to the token holder, so the shopper's proof is checked here against the
order's e-mail and postcodes; the shopper's e-mail never travels to Shopify: the order is
found by its name (`#1001`).

What Shopify allows, mapped: cancelling an order not yet fulfilled (orderCancel, asynchronous:
the cancellation is a job), changing its shipping address before it ships (orderUpdate),
requesting a return of delivered items (returnRequest: the merchant approves it, and the return
label is then on the order status page), refunds (Order.refunds), tracking (fulfillments).
Shopify has no "claim" (damaged / missing parcel): NotSupported, a person handles it.

Rate limits: a 429 is waited for by the transport; a query above the cost bucket answers
GraphQL errors with extensions.code THROTTLED and `extensions.cost.throttleStatus`, waited for
here when the bucket refills within the deadline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from bot.clients.shop import platform
from bot.clients.shop.contract import (
    InvalidRequest,
    NotAllowed,
    NotSupported,
    OrderNotFound,
    ShopError,
    ShopUnavailable,
    VerificationFailed,
)
from bot.clients.shop.delays import BadSignature, DelayEvent
from bot.clients.shop.models import (
    Address,
    Claim,
    ClaimKind,
    Order,
    OrderStatus,
    Product,
    ProductPage,
    Refund,
    ReturnInfo,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
    Verification,
)
from bot.clients.shop.shopify.catalogue import Catalogue
from bot.clients.shop.shopify.orders import (
    BLOCK_NOT_SHIPPED,
    add_rate,
    dt,
    fulfilled_lines,
    line_by_sku,
    nodes,
    to_order,
    transit_days,
)
from bot.clients.shop.shopify.queries import (
    CANCEL,
    FIND_ORDER,
    MORE_LINES,
    ORDER_NAME,
    REQUEST_RETURN,
    SHIPPING_RATES,
    UPDATE_ADDRESS,
)
from bot.clients.shop.transport import UNAVAILABLE, HttpTransport, Reply, budget
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)

NO_MATCH = "Ces informations ne correspondent pas à la commande indiquée."
NOT_FOUND = "Je ne trouve pas de commande à ce numéro."
ALREADY_CANCELLED = "Cette commande est déjà annulée."
CANNOT_CANCEL_SHIPPED = (
    "Cette commande est déjà expédiée : elle ne peut plus être annulée. Vous pourrez la "
    "retourner après réception, dans le délai de rétractation."
)
CANNOT_CANCEL_PREPARING = (
    "Le colis de cette commande est déjà prêt à partir : elle ne peut plus être annulée."
)
CANNOT_CANCEL = "La boutique ne peut pas annuler cette commande pour le moment."
CANNOT_CHANGE_ADDRESS = (
    "Le colis est déjà parti ou prêt à partir : l'adresse de livraison ne peut plus être "
    "modifiée. Le transporteur propose parfois de changer le lieu de livraison depuis son "
    "site de suivi."
)
ADDRESS_CANCELLED = "Cette commande est annulée : son adresse ne peut plus être modifiée."
ADDRESS_REFUSED = "La boutique n'a pas accepté cette adresse : pouvez-vous la vérifier ?"
RETURN_REFUSED = "La boutique n'a pas pu enregistrer ce retour."
RETURN_UNKNOWN_ITEM = "Cet article ne fait pas partie de la commande."
RETURN_INSTRUCTIONS = (
    "La boutique va examiner votre demande de retour. Une fois acceptée, l'étiquette de retour "
    "vous sera envoyée par e-mail et sera disponible sur la page de suivi de votre commande."
)


_NAME = re.compile(r"#?([A-Za-z0-9][A-Za-z0-9-]{0,30})")


class ShopifyClient:
    """The actions' shop client for a Shopify shop (see `contract.ShopClient`), and the
    `WebhookDelays` of its fulfillment_events/create webhook."""

    PAGE_SIZE = 50  # line items per page (Shopify allows up to 250; orders rarely have 50)

    def __init__(
        self,
        shop_url: str,
        token: str,
        api_version: str = "2025-07",
        *,
        settings: Settings | None = None,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        retries: int = 2,
        deadline: float = 1.5,
        page_size: int | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.path = f"/admin/api/{api_version}/graphql.json"
        self.deadline = deadline
        self.page_size = page_size or self.PAGE_SIZE
        self.transport = HttpTransport(
            shop_url,
            headers={
                "X-Shopify-Access-Token": token,
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            deadline=deadline,
            rate_limited_status=429,
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ShopifyClient:
        s = settings or get_settings()
        return cls(
            s.shopify_url,
            s.shopify_token,
            s.shopify_api_version,
            settings=s,
            **budget(s),
        )

    # -- the ShopClient interface -------------------------------------------------------

    def verify_order(self, number: str, proof: Verification, client: str | None = None) -> Order:
        return self._order(self._verified(number, proof))

    def tracking(self, number: str, proof: Verification) -> Tracking:
        return self.verify_order(number, proof).tracking

    def cancel_order(self, number: str, proof: Verification) -> Order:
        raw = self._verified(number, proof)
        order = self._order(raw)
        if order.status == OrderStatus.CANCELLED:
            raise NotAllowed(ALREADY_CANCELLED, "already_cancelled")
        if not order.cancellable:
            if order.status == OrderStatus.PREPARING:
                raise NotAllowed(CANNOT_CANCEL_PREPARING, "order_preparing")
            raise NotAllowed(CANNOT_CANCEL_SHIPPED, "order_shipped")
        data = self._graphql(CANCEL, {"orderId": raw["id"]}, write=True)["orderCancel"]
        errors = (data or {}).get("orderCancelUserErrors") or []
        if errors:
            log.warning("Shopify refused a cancellation: %s", _codes(errors))
            raise NotAllowed(CANNOT_CANCEL, "cancel_refused")
        fresh = self._order(self._find(number))
        if fresh.status != OrderStatus.CANCELLED:
            # Shopify cancels in a background job it has accepted: report what will be true.
            fresh = fresh.model_copy(
                update={
                    "status": OrderStatus.CANCELLED,
                    "cancellable": False,
                    "address_changeable": False,
                    "tracking": fresh.tracking.model_copy(update={"status": OrderStatus.CANCELLED}),
                }
            )
        return fresh

    def change_address(self, number: str, proof: Verification, address: Address) -> Order:
        raw = self._verified(number, proof)
        order = self._order(raw)
        if not order.address_changeable:
            if order.status == OrderStatus.CANCELLED:
                raise NotAllowed(ADDRESS_CANCELLED, "already_cancelled")
            raise NotAllowed(CANNOT_CHANGE_ADDRESS, "address_locked")
        first, _, last = address.name.strip().partition(" ")
        shipping = {
            "firstName": first,
            "lastName": last or first,
            "address1": address.line1,
            "address2": address.line2 or "",
            "zip": address.postcode,
            "city": address.city,
            "countryCode": address.country,
        }
        variables = {"input": {"id": raw["id"], "shippingAddress": shipping}}
        data = self._graphql(UPDATE_ADDRESS, variables, write=True)["orderUpdate"]
        if (data or {}).get("userErrors"):
            log.warning("Shopify refused an address: %s", _codes(data["userErrors"]))
            raise InvalidRequest(ADDRESS_REFUSED, "address_refused")
        return self._order(self._find(number))

    def create_return(
        self, number: str, proof: Verification, skus: list[str], reason: str
    ) -> ReturnInfo:
        raw = self._verified(number, proof)
        order = self._order(raw)
        items = {item.sku: item for item in order.items}
        lines = fulfilled_lines(raw)
        wanted = []
        for sku in dict.fromkeys(skus):
            item = items.get(sku)
            if item is None:
                raise InvalidRequest(RETURN_UNKNOWN_ITEM, "unknown_item")
            if not item.returnable:
                raise NotAllowed(
                    f"« {item.name} » ne peut pas être retourné : {item.return_blocker}.",
                    "not_returnable",
                )
            line_id = line_by_sku(raw, sku)
            fulfilled = lines.get(line_id or "")
            if not fulfilled:
                raise NotAllowed(BLOCK_NOT_SHIPPED, "not_returnable")
            wanted.append(
                {
                    "fulfillmentLineItemId": fulfilled,
                    "quantity": item.quantity,
                    "returnReason": "UNKNOWN",  # the shopper's words go in customerNote
                    "customerNote": (reason or "")[:300],
                }
            )
        if not wanted:
            raise InvalidRequest("Aucun article n'a été choisi.", "no_items")
        variables = {"input": {"orderId": raw["id"], "returnLineItems": wanted}}
        data = self._graphql(REQUEST_RETURN, variables, write=True)["returnRequest"]
        errors = (data or {}).get("userErrors") or []
        if errors or not (data or {}).get("return"):
            log.warning("Shopify refused a return request: %s", _codes(errors))
            raise NotAllowed(RETURN_REFUSED, "return_refused")
        created = data["return"]
        return ReturnInfo(
            rma=created["name"],
            status="requested",  # the merchant approves it; the label comes then
            items=list(dict.fromkeys(skus)),
            label_url=raw.get("statusPageUrl") or "",
            instructions=RETURN_INSTRUCTIONS,
            created_at=datetime.now(UTC),
            refund_delay_days=self.settings.shop_refund_delay_days,
        )

    def refunds(self, number: str, proof: Verification) -> list[Refund]:
        return self.verify_order(number, proof).refunds

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
        photos: list[str] | None = None,
    ) -> Claim:
        # Shopify has no claim object (damaged, lost parcel): the shop's team handles these.
        raise NotSupported()

    def shipping_methods(self) -> list[ShippingMethod]:
        data = self._graphql(SHIPPING_RATES, {})
        prices: dict[str, float] = {}
        free_above: dict[str, float] = {}
        for profile in nodes(data.get("deliveryProfiles")):
            for group in profile.get("profileLocationGroups") or []:
                for zone in nodes(group.get("locationGroupZones")):
                    countries = (zone.get("zone") or {}).get("countries") or []
                    codes = {(c.get("code") or {}).get("countryCode") for c in countries}
                    if "FR" not in codes:
                        continue
                    for method in nodes(zone.get("methodDefinitions")):
                        add_rate(method, prices, free_above)
        methods = []
        for name, price in prices.items():
            low, high = transit_days(name)
            methods.append(
                ShippingMethod(
                    code=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
                    name=name,
                    carrier=name,
                    min_days=low,
                    max_days=high,
                    price=price,
                    free_above=free_above.get(name),
                )
            )
        return methods

    def return_policy(self) -> ReturnPolicy:
        return platform.return_policy(self.settings)

    # -- WebhookDelays -------------------------------------------------------------------

    def delay_from_webhook(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> DelayEvent | None:
        """A fulfillment_events/create delivery whose status is `delayed` -> the order's new
        date. Signature: base64 HMAC-SHA256 of the raw body with the app's secret."""
        lowered = {k.lower(): v for k, v in headers.items()}
        given = lowered.get("x-shopify-hmac-sha256", "")
        expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
        if not secret or not given or not hmac.compare_digest(given.encode(), expected):
            raise BadSignature("X-Shopify-Hmac-Sha256 does not match the body")
        try:
            event = json.loads(body)
        except ValueError:
            log.warning("Shopify webhook body is not JSON")
            return None
        if not isinstance(event, dict) or str(event.get("status", "")).lower() != "delayed":
            return None
        order_id = event.get("order_id")
        if not order_id:
            return None
        data = self._graphql(ORDER_NAME, {"id": f"gid://shopify/Order/{int(order_id)}"})
        if not data.get("order"):
            log.warning("Shopify webhook names an order the API does not know")
            return None
        expected_at = dt(event.get("estimated_delivery_at"))
        event_id = event.get("id") or lowered.get("x-shopify-webhook-id", "")
        return DelayEvent(
            order_number=data["order"]["name"],
            expected_delivery=expected_at.date() if expected_at else None,
            event_id=f"shopify-fulfillment-event-{event_id}",
        )

    # -- the catalogue (issue 18; shopify/catalogue.py says how it maps to Shopify) ------

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        return Catalogue(self).products(updated_since, cursor)

    def product(self, sku: str) -> Product:
        return Catalogue(self).product(sku)

    # -- reading an order ----------------------------------------------------------------

    def _find(self, number: str) -> dict[str, Any]:
        match = _NAME.fullmatch(number.strip())
        if not match:
            raise OrderNotFound(NOT_FOUND)
        core = match.group(1)
        name = f"#{core}" if core.isdigit() else core
        variables = {"query": f"name:{name}", "pageSize": self.page_size}
        found = nodes(self._graphql(FIND_ORDER, variables).get("orders"))
        # The search matches loosely; only the order with exactly this name is the shopper's.
        raw = next((n for n in found if n.get("name", "").lower() == name.lower()), None)
        if raw is None:
            raise OrderNotFound(NOT_FOUND)
        self._all_lines(raw)
        return raw

    def _all_lines(self, raw: dict[str, Any]) -> None:
        """Follow the line items' pages (pageInfo.endCursor) until the last one."""
        lines = raw.get("lineItems") or {}
        every = list(lines.get("nodes") or [])
        page = lines.get("pageInfo") or {}
        while page.get("hasNextPage"):
            variables = {"id": raw["id"], "pageSize": self.page_size, "after": page["endCursor"]}
            more = (self._graphql(MORE_LINES, variables).get("order") or {}).get("lineItems") or {}
            every.extend(more.get("nodes") or [])
            page = more.get("pageInfo") or {}
        raw["lineItems"] = {"nodes": every}

    def _verified(self, number: str, proof: Verification) -> dict[str, Any]:
        raw = self._find(number)
        emails = [raw.get("email")]
        postcodes = [(raw.get(k) or {}).get("zip") for k in ("shippingAddress", "billingAddress")]
        if not platform.proof_matches(proof, emails, postcodes):
            raise VerificationFailed(NO_MATCH)
        return raw

    def _order(self, raw: dict[str, Any]) -> Order:
        try:
            return to_order(raw, self.settings.shop_withdrawal_days, datetime.now(UTC))
        except (ValidationError, KeyError, TypeError, ValueError):
            log.error("Shopify answered an order this client cannot read")
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None

    # -- plumbing ------------------------------------------------------------------------

    def _graphql(
        self, query: str, variables: dict[str, Any], *, write: bool = False
    ) -> dict[str, Any]:
        """One GraphQL operation; returns `data`. THROTTLED is waited for when the bucket
        refills within the deadline (a throttled query was not run: safe to repeat)."""
        give_up_at = time.monotonic() + self.deadline
        body = {"query": query, "variables": variables}
        while True:
            reply = self.transport.call("POST", self.path, json_body=body, idempotent=not write)
            if not reply.ok:
                raise self._http_error(reply)
            answer = reply.json()
            if not isinstance(answer, dict):
                raise ShopUnavailable(UNAVAILABLE, code="malformed_response")
            errors = answer.get("errors") or []
            if errors and _throttled(errors):
                wait = _restore_wait(answer)
                if time.monotonic() + wait > give_up_at:
                    log.warning("Shopify cost limit outlasts the deadline (%.2f s)", wait)
                    raise ShopUnavailable(UNAVAILABLE, code="rate_limited")
                time.sleep(wait)
                continue
            if errors:
                codes = [
                    (e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)
                ]
                if "ACCESS_DENIED" in codes:
                    log.error(
                        "Shopify denied access: give the app behind COMPTOIR_SHOPIFY_TOKEN the "
                        "scopes read_orders, write_orders, read_returns, write_returns, "
                        "read_shipping"
                    )
                    raise ShopUnavailable(UNAVAILABLE, code="unauthorized")
                # Our query does not fit this API version: a bug or a version change, never
                # the shopper's doing.
                messages = [_scrubbed(str(e.get("message")), variables) for e in errors]
                log.error("Shopify rejected the query: %s", messages)
                raise ShopUnavailable(UNAVAILABLE, code="graphql_error")
            data = answer.get("data")
            if not isinstance(data, dict):
                raise ShopUnavailable(UNAVAILABLE, code="malformed_response")
            return data

    def _http_error(self, reply: Reply) -> ShopError:
        if reply.status in (401, 403):
            log.error(
                "Shopify rejected the access token (HTTP %s): check COMPTOIR_SHOPIFY_TOKEN",
                reply.status,
            )
            return ShopUnavailable(UNAVAILABLE, code="unauthorized")
        if reply.status == 404:
            # Not an order: the endpoint itself (a mistyped shop address or API version).
            log.error(
                "Shopify has no GraphQL endpoint here: check COMPTOIR_SHOPIFY_URL and "
                "COMPTOIR_SHOPIFY_API_VERSION"
            )
            return ShopUnavailable(UNAVAILABLE, code="not_found")
        if reply.status == 402:
            log.error("Shopify says the shop is frozen (HTTP 402: unpaid subscription)")
            return ShopUnavailable(UNAVAILABLE, code="shop_frozen")
        log.error("Shopify answered HTTP %s", reply.status)
        return ShopUnavailable(UNAVAILABLE, code=f"http_{reply.status}")


def _codes(errors: list[dict[str, Any]]) -> list[Any]:
    return [e.get("code") or e.get("message") for e in errors]


def _scrubbed(message: str, variables: Any) -> str:
    """An API error message without the values we sent (GraphQL validation errors quote them,
    and an address change sends a postcode): logs never carry a shopper's data."""
    if isinstance(variables, Mapping):
        for value in variables.values():
            message = _scrubbed(message, value)
    elif isinstance(variables, list):
        for value in variables:
            message = _scrubbed(message, value)
    elif isinstance(variables, str) and len(variables) >= 2:
        message = message.replace(variables, "<valeur>")
    return message


def _throttled(errors: list[Any]) -> bool:
    return any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    )


def _restore_wait(answer: dict[str, Any]) -> float:
    """Seconds until the bucket holds the query's cost again."""
    cost = (answer.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        needed = float(cost.get("requestedQueryCost") or 0) - float(status["currentlyAvailable"])
        return max(needed, 0.0) / float(status["restoreRate"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return 1.0
