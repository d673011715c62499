"""`ShopClient` over the PrestaShop Webservice (https://<shop>/api/), for shops on PrestaShop.

Followed documentation (devdocs.prestashop-project.org, versions 1.7 to 9):
- webservice/tutorials/testing-access: the key is the HTTP Basic user, with no password;
- webservice/cheat-sheet and tutorials/advanced-use/additional-list-parameters:
  `output_format=JSON`, `display=full`, `filter[field]=[a|b]`, `limit=offset,count`, `sort`;
- webservice/resources/orders, order_states, order_slip, carriers: the fields read below;
- PrestaShop's classes/webservice/WebserviceRequest.php and WebserviceOutputJSON.php (401 on a
  bad key, 404 "Id(s) not exists" code 87, `{"errors": [{"code", "message"}]}`, an empty list
  given as `[]`), classes/order/OrderHistory.php (`addWs`: POST order_histories changes the
  order's state, `sendemail=1` mails the customer).

What PrestaShop's webservice cannot do, a person of the shop does (NotSupported): returns
(merchandise returns have no webservice resource), claims, changing a delivery address.
The webservice hands any order to the key holder, so the proof (e-mail of the customer,
postcode of the delivery or invoice address) is checked here; no e-mail ever goes in a URL:
orders are looked up by their reference.

Delays (PrestaShop has no webhooks, the back office polls `delays`): an order is late when
(1) its current state is one the shop created for that, by default named "Retard de
livraison" (`delay_states`: names or ids), or (2) it is shipped and not delivered more than
`overdue_grace_days` after the longest delay its carrier announces (the carrier's `delay`
text, e.g. "Livraison en 2 à 3 jours"). The event id names the order_history row that made
it late, so a poll that sees the same delay twice makes one notice.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]

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
from bot.clients.shop.delays import DelayEvent
from bot.clients.shop.models import (
    BEFORE_SHIPPING,
    Address,
    Claim,
    ClaimKind,
    Item,
    Order,
    OrderStatus,
    Product,
    ProductPage,
    Refund,
    ReturnInfo,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
    TrackingEvent,
    Verification,
)
from bot.clients.shop.prestashop_catalogue import Catalogue
from bot.clients.shop.transport import UNAVAILABLE, HttpTransport, Reply, budget, safe_path
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)

REFERENCE = re.compile(r"^[A-Z]{9}$")  # PrestaShop's order reference: nine capital letters
SHOP_TZ = ZoneInfo("Europe/Paris")  # the webservice gives local times without a zone
CACHE_S = 600.0  # order states, carriers, configuration: shop settings, rarely changed
PAGE = 50  # rows per page of a list (`limit=offset,count`)

# Configuration keys naming the built-in states (ids differ from one shop to another) and the
# amount above which shipping is free (Livraison > Préférences).
STATE_KEYS = (
    "PS_OS_CANCELED",
    "PS_OS_DELIVERED",
    "PS_OS_SHIPPING",
    "PS_OS_PREPARATION",
    "PS_OS_REFUND",
    "PS_OS_ERROR",
)
CONFIG_KEYS = (*STATE_KEYS, "PS_SHIPPING_FREE_PRICE")
# A fresh PrestaShop install's ids, used when the key may not read `configurations`.
DEFAULT_STATE_IDS = {
    "PS_OS_PREPARATION": 3,
    "PS_OS_SHIPPING": 4,
    "PS_OS_DELIVERED": 5,
    "PS_OS_CANCELED": 6,
    "PS_OS_REFUND": 7,
    "PS_OS_ERROR": 8,
}
# A list's JSON key is the resource's `objectsNodeName`, which is not always its URL segment.
LIST_NODES = {"order_slip": "order_slips"}
# When a carrier's delay text says no number of days: a common French parcel delay.
DEFAULT_DAYS = (2, 5)

NOT_CANCELLABLE = (
    "Votre commande a déjà quitté notre entrepôt : elle ne peut plus être annulée. Dès "
    "réception, vous pourrez nous la retourner dans le délai de rétractation."
)
ALREADY_CANCELLED = "Votre commande est déjà annulée : il n'y a rien de plus à faire."
CUSTOMISED = (
    "Cet article a été personnalisé pour vous : il n'ouvre pas droit à la rétractation "
    "(article L221-28 du Code de la consommation)."
)
NOT_DELIVERED = "Le retour sera possible dès que vous aurez reçu votre commande."
PERIOD_OVER = "Le délai de rétractation de {days} jours après la livraison est dépassé."
ORDER_CLOSED = "Cette commande est annulée ou déjà remboursée."


class _ResourceForbidden(ShopUnavailable):
    """The key is valid but may not use this resource (401, code 26): for the bot, the same
    "unauthorized"; for the adapter, a hint to fall back where it can."""


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float:
    try:
        return round(float(value or 0), 2)
    except (TypeError, ValueError):
        return 0.0


def _text(value: Any) -> str:
    """A field that may be multilingual: a string, or [{"id": lang, "value": ...}, ...]."""
    if isinstance(value, list):
        return str(value[0].get("value") or "") if value and isinstance(value[0], dict) else ""
    return str(value or "")


def _when(value: Any) -> datetime | None:
    """PrestaShop's "YYYY-MM-DD HH:MM:SS" (shop local time); "0000-00-00 ..." means none."""
    text = str(value or "")
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHOP_TZ)
    except ValueError:
        return None


def carrier_days(delay: str) -> tuple[int, int] | None:
    """(min, max) days from a carrier's delay text: "2 à 3 jours", "24h", "sous 48 h"."""
    text = delay.lower()
    hours = re.findall(r"(\d+)\s*h", text)
    if hours:
        days = [max(1, -(-int(h) // 24)) for h in hours]
        return min(days), max(days)
    found = [int(n) for n in re.findall(r"\d+", text)]
    if found and "jour" in text:
        return min(found), max(found)
    return None


def _filter(values: Iterable[Any]) -> str:
    return "[" + "|".join(str(v) for v in values) + "]"


class PrestaShopClient:
    """The PrestaShop Webservice client (see `bot.clients.shop.contract.ShopClient` and
    `bot.clients.shop.delays.PolledDelays`)."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        settings: Settings | None = None,
        delay_states: Sequence[str | int] = ("Retard de livraison",),
        overdue_grace_days: int = 1,
        page_size: int = PAGE,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        retries: int = 2,
        deadline: float = 1.5,
    ) -> None:
        root = base_url.rstrip("/")
        if not root.endswith("/api"):
            root += "/api"
        self.settings = settings or get_settings()
        self.transport = HttpTransport(
            root,
            auth=(key, ""),  # the key as Basic user, empty password (devdocs: testing access)
            headers={"Output-Format": "JSON", "Accept": "application/json"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            deadline=deadline,
            rate_limited_status=429,  # PrestaShop has none, the proxy or WAF in front may
        )
        self.delay_names = {str(s).strip().lower() for s in delay_states if not str(s).isdigit()}
        self.delay_ids = {int(s) for s in delay_states if str(s).isdigit()}
        self.overdue_grace_days = overdue_grace_days
        self.page_size = page_size
        self._cache: dict[str, tuple[float, Any]] = {}

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> PrestaShopClient:
        s = settings or get_settings()
        return cls(
            s.prestashop_url,
            s.prestashop_key,
            settings=s,
            delay_states=[int(v) if v.isdigit() else v for v in s.prestashop_delay_states],
            **budget(s),
        )

    # -- the ShopClient interface -------------------------------------------------------

    def verify_order(self, number: str, proof: Verification, client: str | None = None) -> Order:
        # `client` is for shops that throttle proofs themselves; PrestaShop does not, the
        # action server's own throttle (bot/core) counts wrong proofs.
        return self._order(self._verified(number, proof))

    def tracking(self, number: str, proof: Verification) -> Tracking:
        return self._order(self._verified(number, proof)).tracking

    def cancel_order(self, number: str, proof: Verification) -> Order:
        raw = self._verified(number, proof)
        order = self._order(raw)
        if raw.get("_siblings"):  # one order per carrier: cancelling one would mislead
            raise NotSupported()
        if order.status == OrderStatus.CANCELLED:
            raise NotAllowed(ALREADY_CANCELLED, code="already_cancelled")
        if not order.cancellable:
            raise NotAllowed(NOT_CANCELLABLE, code="not_cancellable")
        state = self._state_ids()["PS_OS_CANCELED"]
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<prestashop><order_history>'
            f"<id_order>{_int(raw['id'])}</id_order><id_order_state>{state}</id_order_state>"
            "</order_history></prestashop>"
        )
        reply = self.transport.call(
            "POST",
            "/order_histories",
            params={"sendemail": 1},  # PrestaShop mails the customer its cancellation
            data=body.encode(),
            headers={"Content-Type": "text/xml; charset=utf-8"},
            idempotent=False,
        )
        if not reply.ok:
            raise self._error(reply, "POST", "/order_histories")
        self._written(reply, "order_history")
        return self._order(self._fetch(number))

    def change_address(self, number: str, proof: Verification, address: Address) -> Order:
        # An order's address is a shared `addresses` row (the customer's address book): editing
        # it would rewrite other orders; PrestaShop's back office does it safely, so a person.
        self._verified(number, proof)
        raise NotSupported()

    def create_return(
        self, number: str, proof: Verification, skus: list[str], reason: str
    ) -> ReturnInfo:
        self._verified(number, proof)
        raise NotSupported()  # merchandise returns are not a webservice resource

    def refunds(self, number: str, proof: Verification) -> list[Refund]:
        return self._refunds(self._verified(number, proof))

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
        photos: list[str] | None = None,
    ) -> Claim:
        self._verified(number, proof)
        raise NotSupported()  # no claims in PrestaShop: the team handles it

    def shipping_methods(self) -> list[ShippingMethod]:
        carriers = [c for c in self._carriers().values() if str(c.get("active")) == "1"]
        ids = [_int(c["id"]) for c in carriers]
        prices: dict[int, float] = {}
        if ids:  # `deliveries`: the price of each carrier per zone and range; show the lowest
            for row in self._list("deliveries", {"filter[id_carrier]": _filter(ids)}):
                cid, price = _int(row.get("id_carrier")), _float(row.get("price"))
                prices[cid] = min(price, prices.get(cid, price))
        free = _float(self._config().get("PS_SHIPPING_FREE_PRICE"))
        methods = []
        for c in sorted(carriers, key=lambda c: (_int(c.get("position")), _int(c["id"]))):
            name, delay = _text(c.get("name")), _text(c.get("delay"))
            days = carrier_days(delay)
            free_carrier = str(c.get("is_free")) == "1"
            methods.append(
                ShippingMethod(
                    code=f"carrier-{_int(c.get('id_reference')) or _int(c['id'])}",
                    # No days in the carrier's text: say so rather than invent a promise.
                    name=f"{name} ({delay})" if days else f"{name} (délai non précisé)",
                    carrier=name,
                    min_days=(days or DEFAULT_DAYS)[0],
                    max_days=(days or DEFAULT_DAYS)[1],
                    price=0.0 if free_carrier else prices.get(_int(c["id"]), 0.0),
                    free_above=None if free_carrier or free <= 0 else free,
                )
            )
        return methods

    def return_policy(self) -> ReturnPolicy:
        return platform.return_policy(self.settings)

    # -- PolledDelays -------------------------------------------------------------------

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        """The catalogue feed (prestashop_catalogue.py says how it maps to PrestaShop)."""
        return Catalogue(self).products(updated_since, cursor)

    def product(self, sku: str) -> Product:
        return Catalogue(self).product(sku)

    def delays(self, numbers: Sequence[str]) -> list[DelayEvent]:
        refs = sorted({n.strip().upper() for n in numbers if REFERENCE.match(n.strip().upper())})
        events: list[DelayEvent] = []
        for start in range(0, len(refs), 20):  # keep the query string short
            chunk = refs[start : start + 20]
            orders = self._list("orders", {"filter[reference]": _filter(chunk)})
            seen: set[str] = set()
            for raw in sorted(orders, key=lambda o: _int(o["id"])):
                ref = str(raw.get("reference"))
                if ref in seen:  # one reference, several orders (one per carrier)
                    continue
                seen.add(ref)
                late = self._late(raw, self._history(raw))
                if late:
                    events.append(DelayEvent(ref, None, late))
        return events

    # -- reading an order ---------------------------------------------------------------

    def _fetch(self, number: str) -> dict[str, Any]:
        """The order with this reference. One checkout with several carriers makes several
        orders sharing it: the first stands for all, the others ride in "_siblings"."""
        ref = number.strip().upper()
        if not REFERENCE.match(ref):  # also keeps anything else out of the filter syntax
            raise OrderNotFound("Je ne trouve pas de commande avec cette référence.")
        orders = self._list("orders", {"filter[reference]": f"[{ref}]"})
        if not orders:
            raise OrderNotFound("Je ne trouve pas de commande avec cette référence.")
        first, *others = sorted(orders, key=lambda o: _int(o["id"]))
        first["_siblings"] = others
        return first

    def _verified(self, number: str, proof: Verification) -> dict[str, Any]:
        raw = self._fetch(number)
        customer = self._get("customers", _int(raw.get("id_customer")), "customer")
        postcodes = [a.get("postcode") for a in self._addresses(raw).values()]
        if not platform.proof_matches(proof, [customer.get("email")], postcodes):
            raise VerificationFailed(
                "Ces informations ne correspondent pas à la commande indiquée."
            )
        raw["_customer"] = customer
        return raw

    def _addresses(self, raw: dict[str, Any]) -> dict[int, dict[str, Any]]:
        if "_addresses" not in raw:
            ids = {_int(raw.get("id_address_delivery")), _int(raw.get("id_address_invoice"))}
            rows = self._list("addresses", {"filter[id]": _filter(sorted(ids))})
            raw["_addresses"] = {_int(a["id"]): a for a in rows}
        result: dict[int, dict[str, Any]] = raw["_addresses"]
        return result

    def _history(self, raw: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self._list(
            "order_histories", {"filter[id_order]": f"[{_int(raw['id'])}]", "sort": "[id_ASC]"}
        )
        # "YYYY-MM-DD HH:MM:SS" sorts as text; the id breaks ties within a second.
        return sorted(rows, key=lambda h: (str(h.get("date_add") or ""), _int(h["id"])))

    def _status(self, state_id: int) -> OrderStatus:
        """Our status for a PrestaShop state, from the shop's configuration and the state's
        own flags (custom states included)."""
        ids, state = self._state_ids(), self._states().get(state_id, {})
        if self._is_delay_state(state_id):
            return OrderStatus.DELAYED
        # A payment error ends the order as a cancellation does: nothing will be shipped.
        if state_id in (ids["PS_OS_CANCELED"], ids["PS_OS_ERROR"]):
            return OrderStatus.CANCELLED
        if state_id == ids["PS_OS_REFUND"]:
            return OrderStatus.RETURNED
        if state_id == ids["PS_OS_DELIVERED"]:
            return OrderStatus.DELIVERED
        if state_id == ids["PS_OS_SHIPPING"] or str(state.get("shipped")) == "1":
            return OrderStatus.SHIPPED
        if state_id == ids["PS_OS_PREPARATION"]:
            return OrderStatus.PREPARING
        # Paid, awaiting payment (cheque, transfer) or on backorder: still at the shop, and
        # our statuses have no "awaiting payment"; the cancellation rules are the same.
        return OrderStatus.PAID

    def _is_delay_state(self, state_id: int) -> bool:
        name = _text(self._states().get(state_id, {}).get("name")).strip().lower()
        return state_id in self.delay_ids or (bool(name) and name in self.delay_names)

    def _late(self, raw: dict[str, Any], history: list[dict[str, Any]]) -> str | None:
        """The event id of the order's delay, None when it is not late (module docstring)."""
        ref, current = str(raw.get("reference")), _int(raw.get("current_state"))
        if self._is_delay_state(current):
            rows = [h for h in history if _int(h.get("id_order_state")) == current]
            mark = _int(rows[-1]["id"]) if rows else current
            return f"prestashop:{ref}:history:{mark}"
        if self._status(current) != OrderStatus.SHIPPED:
            return None
        shipped = self._shipped_row(history)
        days = carrier_days(_text(self._carrier(_int(raw.get("id_carrier"))).get("delay")))
        if shipped is None or days is None:
            return None
        at = _when(shipped.get("date_add"))
        due = at.date() + timedelta(days=days[1] + self.overdue_grace_days) if at else None
        if due and self._today() > due:
            return f"prestashop:{ref}:overdue:{_int(shipped['id'])}"
        return None

    def _shipped_row(self, history: list[dict[str, Any]]) -> dict[str, Any] | None:
        rows = [
            h
            for h in history
            if self._status(_int(h.get("id_order_state")))
            in (OrderStatus.SHIPPED, OrderStatus.DELAYED)
        ]
        return rows[0] if rows else None

    def _order(self, raw: dict[str, Any]) -> Order:
        history = self._history(raw)
        status = self._status(_int(raw.get("current_state")))
        if self._late(raw, history):
            status = OrderStatus.DELAYED
        delivered_ids = {self._state_ids()["PS_OS_DELIVERED"]}
        delivered = [h for h in history if _int(h.get("id_order_state")) in delivered_ids]
        delivered_at = _when(delivered[-1].get("date_add")) if delivered else None
        days = self.settings.shop_withdrawal_days
        deadline = delivered_at.date() + timedelta(days=days) if delivered_at else None
        address = self._addresses(raw).get(_int(raw.get("id_address_delivery")), {})
        postcode = str(address.get("postcode") or "").replace(" ", "")
        customer = raw.get("_customer") or {}
        parts = [raw, *(raw.get("_siblings") or [])]
        items = [
            self._item(row, status, deadline)
            for part in parts
            for row in (part.get("associations") or {}).get("order_rows") or []
        ]
        carrier = self._carrier(_int(raw.get("id_carrier")))
        return Order(
            number=str(raw.get("reference")),
            status=status,
            placed_at=_when(raw.get("date_add")) or datetime.now(SHOP_TZ),
            first_name=str(customer.get("firstname") or address.get("firstname") or ""),
            shipping_method=_text(carrier.get("name")) or "Livraison",
            shipping_address=Address(
                name=f"{address.get('firstname', '')} {address.get('lastname', '')}".strip()
                or "Destinataire",
                line1=str(address.get("address1") or ""),
                line2=str(address.get("address2") or "") or None,
                # Our model holds French postcodes; a foreign one is shown as unknown.
                postcode=postcode if re.fullmatch(r"\d{5}", postcode) else "00000",
                city=str(address.get("city") or ""),
            ),
            items=items,
            total=_float(
                sum(_float(p.get("total_paid_tax_incl") or p.get("total_paid")) for p in parts)
            ),
            tracking=self._tracking(raw, status, history, delivered_at),
            refunds=self._refunds(raw),
            cancellable=status in BEFORE_SHIPPING,
            # The state allows it; the change itself is made by a person (change_address).
            address_changeable=status in BEFORE_SHIPPING,
            return_deadline=deadline,
        )

    def _item(self, row: dict[str, Any], status: OrderStatus, deadline: date | None) -> Item:
        blocker = None
        if status in (OrderStatus.CANCELLED, OrderStatus.RETURNED):
            blocker = ORDER_CLOSED
        elif status != OrderStatus.DELIVERED or deadline is None:
            blocker = NOT_DELIVERED
        elif self._today() > deadline:
            blocker = PERIOD_OVER.format(days=self.settings.shop_withdrawal_days)
        elif _int(row.get("id_customization")):
            blocker = CUSTOMISED
        return Item(
            sku=str(row.get("product_reference") or row.get("product_id") or ""),
            name=str(row.get("product_name") or ""),
            category="",  # the webservice's order rows carry no category
            quantity=_int(row.get("product_quantity")),
            unit_price=_float(row.get("unit_price_tax_incl") or row.get("product_price")),
            returnable=blocker is None,
            return_blocker=blocker,
        )

    def _tracking(
        self,
        raw: dict[str, Any],
        status: OrderStatus,
        history: list[dict[str, Any]],
        delivered_at: datetime | None,
    ) -> Tracking:
        shipments = self._list("order_carriers", {"filter[id_order]": f"[{_int(raw['id'])}]"})
        shipment = max(shipments, key=lambda s: _int(s["id"])) if shipments else {}
        carrier = self._carrier(_int(shipment.get("id_carrier") or raw.get("id_carrier")))
        number = str(shipment.get("tracking_number") or raw.get("shipping_number") or "")
        url = str(carrier.get("url") or "")
        days = carrier_days(_text(carrier.get("delay")))
        shipped = self._shipped_row(history)
        shipped_at = _when(shipped.get("date_add")) if shipped else None
        expected = None
        # A late order's announced date has passed and PrestaShop holds no new one: none.
        if shipped_at and days and status == OrderStatus.SHIPPED:
            expected = shipped_at.date() + timedelta(days=days[1])
        events = []
        for h in history:
            at = _when(h.get("date_add"))
            if at is None:
                continue
            state = self._states().get(_int(h.get("id_order_state")), {})
            with_carrier = bool(shipped_at and at >= shipped_at and carrier.get("name"))
            events.append(
                TrackingEvent(
                    at=at,
                    place=_text(carrier.get("name")) if with_carrier else "Boutique",
                    description=_text(state.get("name")) or "Mise à jour de la commande",
                )
            )
        return Tracking(
            carrier=_text(carrier.get("name")) or None,
            tracking_number=number or None,
            tracking_url=url.replace("@", number) if url and number else None,
            status=status,
            expected_delivery=expected,
            delivered_at=delivered_at,
            delayed=status == OrderStatus.DELAYED,
            events=events,
        )

    def _refunds(self, raw: dict[str, Any]) -> list[Refund]:
        """Credit slips (order_slip): the shop has recorded the refund to the shopper."""
        slips = self._list("order_slip", {"filter[id_order]": f"[{_int(raw['id'])}]"})
        refunds = []
        for slip in sorted(slips, key=lambda s: _int(s["id"])):
            at = _when(slip.get("date_add")) or datetime.now(SHOP_TZ)
            amount = _float(slip.get("amount")) or _float(
                _float(slip.get("total_products_tax_incl"))
                + _float(slip.get("total_shipping_tax_incl"))
            )
            refunds.append(
                Refund(
                    reference=f"AV{_int(slip['id']):06d}",
                    amount=amount,
                    # A credit slip is issued when the shop refunds: the money is on its way
                    # through the payment method; its arrival is not in PrestaShop.
                    status="refunded",
                    reason="Remboursement partiel"
                    if str(slip.get("partial")) == "1"
                    else "Remboursement",
                    created_at=at,
                    expected_by=None,
                    refunded_at=at,
                )
            )
        return refunds

    # -- shop settings, cached ----------------------------------------------------------

    def _cached(self, name: str, load: Any) -> Any:
        hit = self._cache.get(name)
        if hit and time.monotonic() - hit[0] < CACHE_S:
            return hit[1]
        value = load()
        self._cache[name] = (time.monotonic(), value)
        return value

    def _states(self) -> dict[int, dict[str, Any]]:
        result: dict[int, dict[str, Any]] = self._cached(
            "states", lambda: {_int(s["id"]): s for s in self._list("order_states", {})}
        )
        return result

    def _carriers(self) -> dict[int, dict[str, Any]]:
        result: dict[int, dict[str, Any]] = self._cached(
            "carriers",
            lambda: {_int(c["id"]): c for c in self._list("carriers", {"filter[deleted]": "[0]"})},
        )
        return result

    def _carrier(self, carrier_id: int) -> dict[str, Any]:
        """A carrier, also an old (deleted) version an order still points to."""
        known = self._carriers()
        if carrier_id in known or not carrier_id:
            return known.get(carrier_id, {})
        try:
            found = self._get("carriers", carrier_id, "carrier")
        except OrderNotFound:
            found = {}
        known[carrier_id] = found
        return found

    def _config(self) -> dict[str, str]:
        def load() -> dict[str, str]:
            try:
                rows = self._list("configurations", {"filter[name]": _filter(CONFIG_KEYS)})
            except _ResourceForbidden:
                log.warning("the webservice key may not read configurations: default state ids")
                rows = []
            return {str(r.get("name")): str(r.get("value") or "") for r in rows}

        result: dict[str, str] = self._cached("config", load)
        return result

    def _state_ids(self) -> dict[str, int]:
        config = self._config()
        return {k: _int(config.get(k)) or DEFAULT_STATE_IDS[k] for k in STATE_KEYS}

    def _today(self) -> date:
        return datetime.now(SHOP_TZ).date()

    # -- plumbing -----------------------------------------------------------------------

    def _get(self, resource: str, ident: int, node: str) -> dict[str, Any]:
        path = f"/{resource}/{ident}"
        reply = self.transport.call("GET", path, params={"output_format": "JSON"})
        if not reply.ok:
            raise self._error(reply, "GET", path)
        data = reply.json()
        if not isinstance(data, dict) or not isinstance(data.get(node), dict):
            raise self._malformed(path)
        result: dict[str, Any] = data[node]
        return result

    def _list(self, resource: str, params: dict[str, str]) -> list[dict[str, Any]]:
        """Every row of a filtered list, following `limit=offset,count` pages."""
        rows: list[dict[str, Any]] = []
        path = f"/{resource}"
        while True:
            query = {
                **params,
                "display": "full",
                "output_format": "JSON",
                "limit": f"{len(rows)},{self.page_size}",
            }
            reply = self.transport.call("GET", path, params=query)
            if not reply.ok:
                raise self._error(reply, "GET", path)
            data = reply.json()
            if data == [] or data == {}:  # PrestaShop answers an empty list with `[]`
                return rows
            node = LIST_NODES.get(resource, resource)
            page = data.get(node) if isinstance(data, dict) else None
            if not isinstance(page, list) or not all(isinstance(r, dict) for r in page):
                raise self._malformed(path)
            rows.extend(page)
            if len(page) < self.page_size:
                return rows

    @staticmethod
    def _written(reply: Reply, node: str) -> None:
        """A write's answer is XML (`<prestashop><order_history>...`): check it is one."""
        try:
            root = SafeET.fromstring(reply.content)
        except Exception:  # defusedxml's and ElementTree's parse errors
            root = None
        if root is None or root.find(node) is None:
            log.error("PrestaShop answered a write with an unexpected body")
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response")

    @staticmethod
    def _malformed(path: str) -> ShopUnavailable:
        log.error("PrestaShop answered %s with an unexpected body", safe_path(path))
        return ShopUnavailable(UNAVAILABLE, code="malformed_response")

    @staticmethod
    def _error(reply: Reply, method: str, path: str) -> ShopError:
        """The typed error for a non-2xx answer (JSON or XML error body)."""
        codes: list[int] = []
        try:
            errors = json.loads(reply.content).get("errors") or []
            codes = [_int(e.get("code")) for e in errors if isinstance(e, dict)]
        except (ValueError, AttributeError):
            try:
                root = SafeET.fromstring(reply.content)
                codes = [_int((e.text or "").strip()) for e in root.iter("code")]
            except Exception:
                pass
        status = reply.status
        if status == 404:
            return OrderNotFound("Je ne trouve pas de commande avec cette référence.")
        if status in (401, 403):
            if 26 in codes:  # "Resource of type ... is not allowed with this authentication key"
                log.error(
                    "the PrestaShop webservice key may not %s %s: grant it in Paramètres "
                    "avancés > Webservice (key: COMPTOIR_PRESTASHOP_KEY)",
                    method,
                    safe_path(path),
                )
                return _ResourceForbidden(UNAVAILABLE, code="unauthorized")
            log.error(
                "PrestaShop rejected the webservice key on %s %s (codes %s): check "
                "COMPTOIR_PRESTASHOP_KEY",
                method,
                safe_path(path),
                codes,
            )
            return ShopUnavailable(UNAVAILABLE, code="unauthorized")
        if status == 429:
            return ShopUnavailable(UNAVAILABLE, code="rate_limited")
        if 400 <= status < 500:
            log.error(
                "PrestaShop refused %s %s: HTTP %s %s", method, safe_path(path), status, codes
            )
            return InvalidRequest("La boutique n'a pas accepté cette demande.")
        return ShopUnavailable(UNAVAILABLE, code=f"http_{status}")
