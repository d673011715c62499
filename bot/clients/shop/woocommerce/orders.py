"""WooCommerce's order JSON read as our models: statuses, tracking, delivery and delay, the
French reasons an order refuses a change, shipping methods. Pure functions, no HTTP: the
client (client.py) and the webhook read orders the same way. The conventions are described in
the package's docstring (bot/clients/shop/woocommerce/__init__.py)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from bot.clients.shop.contract import OrderNotFound, ShopUnavailable
from bot.clients.shop.models import (
    AWAITING_DELIVERY,
    BEFORE_SHIPPING,
    RECEIVED,
    Address,
    Item,
    Order,
    OrderStatus,
    ShippingMethod,
    Tracking,
)
from bot.clients.shop.transport import UNAVAILABLE

try:  # A French shop's clock, whatever the server's zone.
    from zoneinfo import ZoneInfo

    SHOP_TZ: tzinfo = ZoneInfo("Europe/Paris")
except Exception:  # pragma: no cover - no tz database on the machine
    SHOP_TZ = timezone(timedelta(hours=1))

log = logging.getLogger(__name__)
S = OrderStatus

TRACKING_META = "_wc_shipment_tracking_items"
DELIVERED_META = "comptoir_delivered_at"
DELAYED_META = "comptoir_delayed_until"
EXPECTED_META = "comptoir_expected_delivery"

# Shipment Tracking stores its built-in providers as slugs (sanitize_title of the name) and
# builds their links itself; the French one of its list, and the usual custom ones by name.
PROVIDERS = {
    "colissimo": ("Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code=%1$s"),
    "chronopost": ("Chronopost", None),
    "mondial-relay": ("Mondial Relay", None),
    "dpd": ("DPD", None),
    "dpd-fr": ("DPD", None),
}
# WooCommerce shipping methods have a title and a cost, never a delivery time: usual transit
# days in France by the carrier their title names (the carriers' published ranges), else a
# cautious default that the method's name then marks as indicative.
CARRIER_DAYS = [
    ("chronopost", "Chronopost", 1, 1),
    ("colissimo", "Colissimo", 2, 3),
    ("mondial relay", "Mondial Relay", 3, 5),
    ("relais colis", "Relais Colis", 3, 5),
    ("dpd", "DPD", 2, 3),
    ("gls", "GLS", 2, 3),
    ("ups", "UPS", 1, 3),
    ("lettre suivie", "La Poste", 2, 4),
]
DEFAULT_DAYS = (2, 5)

ALREADY_CANCELLED = "Cette commande est déjà annulée."
SHIPPED_NO_CANCEL = (
    "Cette commande est déjà expédiée : elle ne peut plus être annulée. Vous pourrez la "
    "retourner dans les {days} jours après la livraison."
)
DELIVERED_NO_CANCEL = (
    "Cette commande est déjà livrée : elle ne peut plus être annulée, mais vous pouvez la "
    "retourner dans les {days} jours après la livraison."
)
RETURNED_NO_CANCEL = "Cette commande a déjà été remboursée : elle ne peut plus être annulée."
ADDRESS_LOCKED = (
    "Le colis est déjà parti : l'adresse de livraison ne peut plus être modifiée. Le "
    "transporteur propose parfois de changer le lieu de livraison depuis son site de suivi."
)
ADDRESS_CANCELLED = "Cette commande est annulée : son adresse ne peut plus être modifiée."
RETURN_NOT_DELIVERED = (
    "Cette commande n'est pas encore livrée : le retour sera possible après la livraison, "
    "pendant {days} jours."
)
RETURN_CANCELLED = "Cette commande a été annulée : il n'y a rien à retourner."
RETURN_REFUNDED = "Cette commande a déjà été remboursée."
RETURN_TOO_LATE = "Le délai de rétractation de {days} jours est dépassé : il a pris fin le {end}."
REFUSED = "La boutique n'a pas accepté cette demande. Un conseiller peut vous aider."


def shop_now() -> datetime:
    """Naive Paris wall-clock time, as WooCommerce's `date_*` fields (site time) are."""
    return datetime.now(SHOP_TZ).replace(tzinfo=None)


def parse_datetime(value: Any) -> datetime | None:
    """A WooCommerce date ('2026-11-23T10:05:00', or a date alone), naive; None if absent."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(SHOP_TZ).replace(tzinfo=None)
    return parsed


def parse_date(value: Any) -> date | None:
    parsed = parse_datetime(value)
    return parsed.date() if parsed else None


def money(value: Any) -> float:
    try:
        return round(float(value or 0), 2)
    except (TypeError, ValueError):
        return 0.0


def _base_cost(cost: str) -> float:
    """The amount a flat rate's cost starts with ("4.90", "10 * [qty]" -> 10.0)."""
    match = re.match(r"\s*(\d+(?:[.,]\d+)?)", cost or "")
    return money(match.group(1).replace(",", ".")) if match else 0.0


def fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _meta(data: Mapping[str, Any], key: str) -> Any:
    """The value of an order meta key (the latest one when repeated), or None."""
    found = None
    for entry in data.get("meta_data") or []:
        if isinstance(entry, dict) and entry.get("key") == key:
            found = entry.get("value")
    return found


def _tracking_item(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The latest Shipment Tracking item of the order, if the extension recorded one."""
    items = _meta(data, TRACKING_META)
    if isinstance(items, str):  # a plugin storing the list as JSON text
        try:
            items = json.loads(items)
        except ValueError:
            items = None
    if isinstance(items, dict):
        items = [items]
    usable = [i for i in items or [] if isinstance(i, dict) and i.get("tracking_number")]
    return usable[-1] if usable else None


def _carrier_days(title: str) -> tuple[str | None, int, int]:
    lowered = title.lower()
    for word, carrier, low, high in CARRIER_DAYS:
        if word in lowered:
            return carrier, low, high
    return None, *DEFAULT_DAYS


class Parsed:
    """What an order's JSON says once read: status, dates, tracking. Built once per order."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.raw_status = str(data.get("status") or "")
        self.shipping_title = ""
        for line in data.get("shipping_lines") or []:
            if isinstance(line, dict) and line.get("method_title"):
                self.shipping_title = str(line["method_title"])
                break
        item = _tracking_item(data)
        self.tracking_number: str | None = None
        self.carrier: str | None = None
        self.tracking_url: str | None = None
        self.shipped_at: datetime | None = None
        if item:
            self._read_tracking(item)
        self.delivered_at = parse_datetime(_meta(data, DELIVERED_META))
        if self.delivered_at is None and self.raw_status == "delivered":
            # The AST plugin's status says when by nothing else: the order's last change.
            self.delivered_at = parse_datetime(data.get("date_modified"))
        delay = _meta(data, DELAYED_META)
        self.delayed = bool(delay) and str(delay).strip().lower() not in ("non", "no", "0")
        self.new_date = parse_date(delay) if self.delayed else None
        expected = parse_date(_meta(data, EXPECTED_META))
        if expected is None and self.shipped_at is not None:
            expected = self.shipped_at.date() + timedelta(
                days=_carrier_days(self.shipping_title)[2]
            )
        self.expected = self.new_date or expected
        self.status = self._status(data)
        if self.status not in RECEIVED:
            self.delivered_at = None
        if self.status not in AWAITING_DELIVERY:  # a delay before shipping counts too
            self.delayed = False

    def _read_tracking(self, item: Mapping[str, Any]) -> None:
        self.tracking_number = str(item["tracking_number"]).strip()
        custom = str(item.get("custom_tracking_provider") or "").strip()
        slug = str(item.get("tracking_provider") or "").strip()
        known = PROVIDERS.get(slug.lower().replace(" ", "-"))
        self.carrier = custom or (known[0] if known else slug.replace("-", " ").title() or None)
        template = str(item.get("custom_tracking_link") or "") or (known[1] if known else "") or ""
        if template:
            self.tracking_url = template.replace("%1$s", self.tracking_number)
        shipped = str(item.get("date_shipped") or "").strip()
        if shipped.isdigit():  # the extension stores a Unix time
            self.shipped_at = datetime.fromtimestamp(int(shipped), SHOP_TZ).replace(tzinfo=None)
        else:  # a plugin writing the date as its REST API takes it (YYYY-MM-DD)
            self.shipped_at = parse_datetime(shipped)

    def _status(self, data: Mapping[str, Any]) -> OrderStatus:
        status = self.raw_status
        if status in ("checkout-draft", "draft", "auto-draft", "trash", ""):
            raise OrderNotFound("Je ne trouve pas cette commande.")
        if status in ("pending", "on-hold"):
            return S.PAID
        if status == "processing":
            return S.PREPARING if self.tracking_number else S.PAID
        if status in ("cancelled", "failed"):
            return S.CANCELLED
        if status == "refunded":
            shipped = self.tracking_number or data.get("date_completed")
            return S.RETURNED if shipped else S.CANCELLED
        if self.delivered_at is not None or status == "delivered":
            return S.DELIVERED
        if self.delayed:
            return S.DELAYED
        # completed, and AST's shipped / partial-shipped; any other custom status is a shop's
        # own step before shipping unless a parcel exists.
        if status in ("completed", "shipped", "partial-shipped") or self.tracking_number:
            return S.SHIPPED
        return S.PREPARING


def to_order(data: Mapping[str, Any], withdrawal_days: int) -> Order:
    """Our Order from WooCommerce's order JSON (GET /orders/<id>, or a webhook's body)."""
    today = shop_now().date()
    p = Parsed(data)
    deadline = p.delivered_at.date() + timedelta(days=withdrawal_days) if p.delivered_at else None
    blocker = return_blocker(p.status, deadline, today, withdrawal_days)
    shipping = data.get("shipping") or {}
    billing = data.get("billing") or {}
    address = shipping if shipping.get("address_1") else billing
    items = []
    for line in data.get("line_items") or []:
        quantity = int(line.get("quantity") or 1) or 1
        gross = money(line.get("total")) + money(line.get("total_tax"))
        items.append(
            Item(
                sku=str(line.get("sku") or f"produit-{line.get('product_id')}"),
                name=str(line.get("name") or ""),
                category="",
                quantity=quantity,
                unit_price=round(gross / quantity, 2),
                returnable=blocker is None,
                return_blocker=blocker,
            )
        )
    tracking = Tracking(
        carrier=p.carrier,
        tracking_number=p.tracking_number,
        tracking_url=p.tracking_url,
        status=p.status,
        expected_delivery=p.expected if p.status not in RECEIVED else None,
        delivered_at=p.delivered_at,
        delayed=p.delayed,
        events=[],
    )
    try:
        return Order(
            number=str(data.get("number") or data.get("id")),
            status=p.status,
            placed_at=parse_datetime(data.get("date_created")) or shop_now(),
            first_name=str(billing.get("first_name") or shipping.get("first_name") or ""),
            shipping_method=p.shipping_title or "Livraison",
            shipping_address=Address(
                name=" ".join(n for n in (address.get("first_name"), address.get("last_name")) if n)
                or "—",
                line1=str(address.get("address_1") or "—"),
                line2=address.get("address_2") or None,
                postcode=str(address.get("postcode") or "").replace(" ", ""),
                city=str(address.get("city") or ""),
                country=str(address.get("country") or "FR"),
            ),
            items=items,
            total=money(data.get("total")),
            tracking=tracking,
            cancellable=p.status in BEFORE_SHIPPING,
            address_changeable=p.status in BEFORE_SHIPPING,
            return_deadline=deadline,
        )
    except ValueError:  # pydantic: e.g. a foreign postcode the model cannot hold
        log.error("WooCommerce order %s cannot be read (a foreign postcode?)", data.get("id"))
        raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None


def return_blocker(
    status: OrderStatus, deadline: date | None, today: date, days: int
) -> str | None:
    """Why the order's items cannot be returned today, in French, or None."""
    if status == S.CANCELLED:
        return RETURN_CANCELLED
    if status == S.RETURNED:
        return RETURN_REFUNDED
    if status != S.DELIVERED or deadline is None:
        return RETURN_NOT_DELIVERED.format(days=days)
    if today > deadline:
        return RETURN_TOO_LATE.format(days=days, end=fr_date(deadline))
    return None


def cancel_blocker(status: OrderStatus, days: int) -> str:
    """Why an order that is not cancellable cannot be, in French."""
    if status == S.CANCELLED:
        return ALREADY_CANCELLED
    if status == S.DELIVERED:
        return DELIVERED_NO_CANCEL.format(days=days)
    if status == S.RETURNED:
        return RETURNED_NO_CANCEL
    return SHIPPED_NO_CANCEL.format(days=days)


def to_shipping_methods(methods: list[dict[str, Any]]) -> list[ShippingMethod]:
    """Our methods from a zone's WooCommerce methods; free_shipping with a minimum amount
    becomes the others' `free_above`."""

    def setting(method: Mapping[str, Any], name: str) -> str:
        entry = (method.get("settings") or {}).get(name) or {}
        return str(entry.get("value") or "") if isinstance(entry, dict) else ""

    enabled = [m for m in methods if m.get("enabled")]
    free_above = None
    for m in enabled:
        if m.get("method_id") == "free_shipping" and setting(m, "requires") in (
            "min_amount",
            "either",
        ):
            free_above = money(setting(m, "min_amount")) or None
    found = []
    for m in enabled:
        kind = str(m.get("method_id") or "")
        title = str(m.get("title") or m.get("method_title") or kind)
        if kind == "free_shipping":
            continue  # a condition of the others, not a method of its own
        carrier, low, high = _carrier_days(title)
        if kind == "local_pickup" or kind == "pickup_location":
            carrier, low, high = "Retrait en boutique", 0, 0
        elif carrier is None:
            # The shop's own method: its delay is not known, the name says so.
            carrier, title = title, f"{title} (délai indicatif {low} à {high} jours)"
        cost = setting(m, "cost")
        found.append(
            ShippingMethod(
                code=f"{kind}:{m.get('instance_id')}",
                name=title,
                carrier=carrier,
                min_days=low,
                max_days=high,
                # a cost formula ("10 * [qty]") has no single price: its base amount
                price=_base_cost(cost),
                free_above=free_above if kind != "local_pickup" else None,
            )
        )
    return found
