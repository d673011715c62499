"""Shopify's order, as the Admin GraphQL API gives it, turned into Comptoir's `Order`: status
from the fulfillments (displayStatus, deliveredAt, estimatedDeliveryAt), items and whether each
can be returned, tracking, refunds; and the shop's shipping rates from its delivery profiles.

References: Order, LineItem, Fulfillment (displayStatus: FulfillmentDisplayStatus),
FulfillmentEvent (status: FulfillmentEventStatus), OrderDisplayFulfillmentStatus, Refund,
Return (status: ReturnStatus), DeliveryMethodDefinition, DeliveryCondition on
https://shopify.dev/docs/api/admin-graphql/2025-07.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.clients.shop.models import (
    BEFORE_SHIPPING,
    Address,
    Item,
    Order,
    OrderStatus,
    Refund,
    Tracking,
    TrackingEvent,
)

# Why an item cannot be returned, in the shopper's words.
BLOCK_NOT_DELIVERED = "la commande n'est pas encore livrée"
BLOCK_CANCELLED = "la commande a été annulée"
BLOCK_EXPIRED = "le délai de rétractation de {days} jours après la livraison est dépassé"
BLOCK_REFUNDED = "cet article a déjà été remboursé ou retourné"
BLOCK_NOT_SHIPPED = "cet article n'a pas été expédié"
# Order-level: which items an open return holds needs API-version-specific types; Shopify
# refuses a second overlapping request anyway.
BLOCK_RETURN_OPEN = "une demande de retour est déjà en cours pour cette commande"

# Shipping rates carry no transit time on Shopify (DeliveryMethodDefinition has a name and a
# price, nothing else). These are the usual French home-delivery times, said as "about".
DEFAULT_DAYS: dict[str, tuple[int, int]] = {
    "chronopost": (1, 2),
    "colissimo": (2, 3),
    "mondial relay": (3, 5),
}
FALLBACK_DAYS = (2, 5)

EVENT_LABELS = {
    "LABEL_PURCHASED": "Étiquette d'expédition créée",
    "LABEL_PRINTED": "Colis en préparation d'expédition",
    "CONFIRMED": "Colis remis au transporteur",
    "CARRIER_PICKED_UP": "Colis pris en charge par le transporteur",
    "IN_TRANSIT": "Colis en transit",
    "OUT_FOR_DELIVERY": "Colis en cours de livraison",
    "ATTEMPTED_DELIVERY": "Tentative de livraison",
    "READY_FOR_PICKUP": "Colis disponible au point de retrait",
    "DELAYED": "Colis retardé",
    "DELIVERED": "Colis livré",
    "FAILURE": "Incident de livraison",
}


def dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def amount(money_bag: Mapping[str, Any] | None) -> float:
    try:
        return round(float((money_bag or {})["shopMoney"]["amount"]), 2)
    except (KeyError, TypeError, ValueError):
        return 0.0


def nodes(connection: Any) -> list[dict[str, Any]]:
    if not isinstance(connection, dict):
        return []
    return [n for n in connection.get("nodes") or [] if isinstance(n, dict)]


def live_fulfillments(raw: dict[str, Any]) -> list[dict[str, Any]]:
    found = [
        f
        for f in raw.get("fulfillments") or []
        if f.get("status") not in ("CANCELLED", "ERROR", "FAILURE")
    ]
    return sorted(found, key=lambda f: f.get("createdAt") or "")


def order_status(raw: dict[str, Any], now: datetime) -> OrderStatus:
    if raw.get("cancelledAt"):
        return OrderStatus.CANCELLED
    returns = nodes(raw.get("returns"))
    if raw.get("displayFinancialStatus") == "REFUNDED" and any(
        r.get("status") == "CLOSED" for r in returns
    ):
        return OrderStatus.RETURNED
    fulfillments = live_fulfillments(raw)
    if not fulfillments:
        if raw.get("displayFulfillmentStatus") in ("UNFULFILLED", "OPEN", None):
            return OrderStatus.PAID
        return OrderStatus.PREPARING  # IN_PROGRESS, ON_HOLD, SCHEDULED, PENDING_FULFILLMENT...
    latest = fulfillments[-1]
    display = latest.get("displayStatus")
    if latest.get("deliveredAt") or display in ("DELIVERED", "PICKED_UP"):
        if raw.get("displayFulfillmentStatus") == "PARTIALLY_FULFILLED":
            return OrderStatus.SHIPPED  # the rest is still to come
        return OrderStatus.DELIVERED
    if display in ("DELAYED", "FAILURE", "NOT_DELIVERED"):
        return OrderStatus.DELAYED
    eta = dt(latest.get("estimatedDeliveryAt"))
    if eta and eta.date() < now.date():
        return OrderStatus.DELAYED  # the expected day has passed with no delivery
    if display in ("OUT_FOR_DELIVERY", "ATTEMPTED_DELIVERY", "READY_FOR_PICKUP"):
        return OrderStatus.OUT_FOR_DELIVERY
    if display in ("LABEL_PURCHASED", "LABEL_PRINTED", "SUBMITTED"):
        return OrderStatus.PREPARING  # the parcel has a label but no carrier has it yet
    return OrderStatus.SHIPPED


def fulfilled_lines(raw: dict[str, Any]) -> dict[str, str]:
    """LineItem id -> FulfillmentLineItem id (what returnRequest takes)."""
    found = {}
    for fulfillment in live_fulfillments(raw):
        for fli in nodes(fulfillment.get("fulfillmentLineItems")):
            line = (fli.get("lineItem") or {}).get("id")
            if line:
                found[line] = fli["id"]
    return found


def sku_of(line: dict[str, Any]) -> str:
    return line.get("sku") or "LI-" + str(line.get("id", "")).rsplit("/", 1)[-1]


def line_by_sku(raw: dict[str, Any], sku: str) -> str | None:
    return next((ln["id"] for ln in nodes(raw.get("lineItems")) if sku_of(ln) == sku), None)


def tracking_of(raw: dict[str, Any], status: OrderStatus) -> Tracking:
    fulfillments = live_fulfillments(raw)
    latest = fulfillments[-1] if fulfillments else {}
    info = (latest.get("trackingInfo") or [{}])[0] if latest else {}
    events = []
    for f in fulfillments:
        for e in nodes(f.get("events")):
            at = dt(e.get("happenedAt"))
            if at:
                label = EVENT_LABELS.get(e.get("status", ""), "Suivi mis à jour")
                events.append(TrackingEvent(at=at, place=e.get("city") or "", description=label))
    eta = dt(latest.get("estimatedDeliveryAt")) if latest else None
    return Tracking(
        carrier=info.get("company"),
        tracking_number=info.get("number"),
        tracking_url=info.get("url"),
        status=status,
        expected_delivery=eta.date() if eta else None,
        delivered_at=dt(latest.get("deliveredAt")) if latest else None,
        delayed=status == OrderStatus.DELAYED,
        events=sorted(events, key=lambda e: e.at),
    )


def refunds_of(raw: dict[str, Any]) -> list[Refund]:
    refunds = []
    for r in raw.get("refunds") or []:
        created = dt(r.get("createdAt")) or datetime.now(UTC)
        refunds.append(
            Refund(
                reference=str(r.get("legacyResourceId") or r.get("id")),
                amount=amount(r.get("totalRefundedSet")),
                status="refunded",  # Shopify records a refund once it is issued
                reason=r.get("note") or "Remboursement",
                created_at=created,
                expected_by=None,
                refunded_at=created,
            )
        )
    return refunds


def to_order(raw: dict[str, Any], withdrawal_days: int, now: datetime) -> Order:
    status = order_status(raw, now)
    tracking = tracking_of(raw, status)
    received = status in (OrderStatus.DELIVERED, OrderStatus.RETURNED)
    delivered = tracking.delivered_at if received else None
    deadline: date | None = (
        (delivered + timedelta(days=withdrawal_days)).date() if delivered else None
    )
    fulfilled = fulfilled_lines(raw)
    open_returns = any(r.get("status") in ("REQUESTED", "OPEN") for r in nodes(raw.get("returns")))
    items = []
    for line in nodes(raw.get("lineItems")):
        blocker = None
        if status == OrderStatus.CANCELLED:
            blocker = BLOCK_CANCELLED
        elif status == OrderStatus.RETURNED:
            blocker = BLOCK_REFUNDED
        elif status != OrderStatus.DELIVERED:
            blocker = BLOCK_NOT_DELIVERED
        elif (line.get("currentQuantity") or 0) < 1:
            blocker = BLOCK_REFUNDED
        elif line["id"] not in fulfilled:
            blocker = BLOCK_NOT_SHIPPED
        elif deadline and now.date() > deadline:
            blocker = BLOCK_EXPIRED.format(days=withdrawal_days)
        elif open_returns:
            blocker = BLOCK_RETURN_OPEN
        items.append(
            Item(
                sku=sku_of(line),
                name=line.get("name") or "",
                category=(line.get("product") or {}).get("productType") or "",
                quantity=max(line.get("currentQuantity") or line.get("quantity") or 1, 1),
                unit_price=amount(line.get("originalUnitPriceSet")),
                returnable=blocker is None,
                return_blocker=blocker,
            )
        )
    ship = raw.get("shippingAddress") or {}
    name = " ".join(p for p in (ship.get("firstName"), ship.get("lastName")) if p)
    first_name = (raw.get("customer") or {}).get("firstName") or ship.get("firstName") or ""
    return Order(
        number=raw["name"],
        status=status,
        placed_at=dt(raw.get("processedAt") or raw.get("createdAt")) or now,
        first_name=first_name,
        shipping_method=(raw.get("shippingLine") or {}).get("title") or "",
        shipping_address=Address(
            name=name or first_name or "Client",
            line1=ship.get("address1") or "",
            line2=ship.get("address2") or None,
            postcode=(ship.get("zip") or "").replace(" ", ""),
            city=ship.get("city") or "",
            country=ship.get("countryCodeV2") or "FR",
        ),
        items=items,
        total=amount(raw.get("totalPriceSet")),
        tracking=tracking,
        refunds=refunds_of(raw),
        # Shopify cancels (and reroutes) only orders without a fulfillment: once a parcel
        # exists, even just labelled, its address and its fate are the carrier's.
        cancellable=status in BEFORE_SHIPPING and not live_fulfillments(raw),
        address_changeable=status in BEFORE_SHIPPING and not live_fulfillments(raw),
        return_deadline=deadline,
    )


def add_rate(method: dict[str, Any], prices: dict[str, float], free: dict[str, float]) -> None:
    """One DeliveryMethodDefinition: its price, or the order total from which it is free (a
    rate at 0 with a TOTAL_PRICE >= condition, which is how Shopify says "free above")."""
    if not method.get("active"):
        return
    price_field = ((method.get("rateProvider") or {}).get("price") or {}).get("amount")
    if price_field is None:
        return  # a carrier-calculated rate: no fixed price to state
    name, price = method.get("name") or "", round(float(price_field), 2)
    floor = next(
        (
            float((c.get("conditionCriteria") or {})["amount"])
            for c in method.get("methodConditions") or []
            if c.get("field") == "TOTAL_PRICE"
            and c.get("operator") == "GREATER_THAN_OR_EQUAL_TO"
            and (c.get("conditionCriteria") or {}).get("amount") is not None
        ),
        None,
    )
    if price == 0 and floor is not None:
        free[name] = min(floor, free.get(name, floor))
        prices.setdefault(name, 0.0)
        return
    prices[name] = price if prices.get(name) in (None, 0.0) else min(prices[name], price)


def transit_days(name: str) -> tuple[int, int]:
    lowered = name.lower()
    return next((days for key, days in DEFAULT_DAYS.items() if key in lowered), FALLBACK_DAYS)
