"""A local stand-in of the WooCommerce REST API v3 (/wp-json/wc/v3/), over French orders
written in WooCommerce's own JSON shapes, for the adapter's contract tests and for
`make run COMPTOIR_SHOP=woocommerce` on one machine.

Followed (woocommerce/woocommerce-rest-api-docs, source/includes/wp-api-v3/): _introduction.md
(errors {"code", "message", "data": {"status"}}; page/per_page, X-WP-Total, X-WP-TotalPages and
Link headers), _authentication.md (consumer key/secret as HTTP Basic auth or as the
consumer_key/consumer_secret query parameters), _orders.md (order, billing, shipping, line
items, shipping lines, meta_data, refunds properties; GET/PUT/POST /orders/<id>, GET /orders),
_order-refunds.md (GET/POST /orders/<id>/refunds), _shipping-zones.md,
_shipping-zone-locations.md, _shipping-zone-methods.md (zones, locations, methods and their
`settings`), _webhooks.md (X-WC-Webhook-* headers, base64 HMAC-SHA256 signature). Error codes
and messages from WooCommerce's class-wc-rest-authentication.php and its order controllers
(woocommerce_rest_cannot_view, woocommerce_rest_authentication_error,
woocommerce_rest_shop_order_invalid_id, rest_no_route, rest_invalid_param). Tracking as the
Shipment Tracking extension stores it (order meta `_wc_shipment_tracking_items`, per
woocommerce.com/document/shipment-tracking and its REST API pages); delivery and
delay as the adapter's docstring (bot/clients/shop/woocommerce.py) asks the shop to write them.

Products, variations and their changes (issue 18): bot/tools/standins/woocommerce_catalogue.py.

One liberty: a real WooCommerce accepts Basic auth over HTTPS only (OAuth 1.0a over HTTP);
this stand-in serves plain HTTP on loopback and accepts Basic auth there.

Test hooks, under /__standin__/ (no auth; loopback only), or the same on `app.state`:
- POST /__standin__/faults {"status": 429, "count": 2, "retry_after": "0.2"}: the next `count`
  API calls answer that status (429 with Retry-After, or a 5xx) instead of their answer;
  `app.state.faults` is the list of pending faults.
- GET /__standin__/calls: every API call received (method, path, query keys, how it
  authenticated); DELETE clears it. `app.state.calls` is the list.
- POST /__standin__/orders/<id>/delay {"until": "YYYY-MM-DD", "deliver_to": url}: marks the
  order late and returns the signed `order.updated` delivery (headers and body) that
  WooCommerce would send; with `deliver_to` (a loopback URL), also POSTs it there.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import json
import math
import random
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.clients.shop.models import OrderStatus
from bot.tools.standins import announce, woocommerce_catalogue

try:
    from zoneinfo import ZoneInfo

    PARIS: Any = ZoneInfo("Europe/Paris")
except Exception:  # pragma: no cover
    PARIS = timezone(timedelta(hours=1))

KEY = "ck_comptoir_demo_0123456789abcdef"
SECRET = "cs_comptoir_demo_0123456789abcdef"
READ_ONLY_KEY = "ck_comptoir_lecture_seule"
READ_ONLY_SECRET = "cs_comptoir_lecture_seule"
WEBHOOK_SECRET = "whsec_comptoir_demo"
WEBHOOK_ID = 7
API = "/wp-json/wc/v3"
STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"]
S = OrderStatus

FIRST_NAMES = [
    "Camille", "Léa", "Hugo", "Manon", "Louis", "Chloé", "Gabriel", "Inès", "Jules", "Sarah",
    "Arthur", "Zoé", "Nathan", "Lucie", "Théo", "Élodie", "Raphaël", "Anaïs", "Maël", "Céline",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier", "Girard", "Bonnet",
]  # fmt: skip
PLACES = [
    ("75011", "Paris", "12 rue Oberkampf"), ("69003", "Lyon", "48 cours Gambetta"),
    ("13006", "Marseille", "7 rue Paradis"), ("31000", "Toulouse", "3 place du Capitole"),
    ("33000", "Bordeaux", "21 cours de l'Intendance"), ("44000", "Nantes", "9 rue Crébillon"),
    ("67000", "Strasbourg", "15 rue des Grandes Arcades"), ("59800", "Lille", "2 rue Esquermoise"),
    ("35000", "Rennes", "30 rue Saint-Malo"), ("06000", "Nice", "11 avenue Jean Médecin"),
    ("34000", "Montpellier", "5 rue de la Loge"), ("21000", "Dijon", "18 rue de la Liberté"),
]  # fmt: skip
PRODUCTS = [
    (101, "Pull en laine mérinos – Bleu nuit, M", "PULL-MERINOS-BN-M", 69.00),
    (102, "Théière en fonte 1 L", "THEIERE-FONTE-1L", 45.00),
    (103, "Plaid en lin lavé", "PLAID-LIN-NAT", 59.90),
    (104, "Savon de Marseille à l'huile d'olive", "SAVON-MARSEILLE-300", 6.50),
    (105, "Bougie parfumée figue", "BOUGIE-FIGUE", 24.00),
    (106, "Carnet en cuir A5", "CARNET-CUIR-A5", 32.00),
    (107, "Tablier de cuisine en coton bio", "TABLIER-COTON", 28.00),
    (108, "Mug en grès émaillé", "MUG-GRES-VERT", 16.50),
    (109, "Écharpe en cachemire", "ECHARPE-CACHEMIRE", 89.00),
    (110, "Coffret thé vert Sencha", "THE-SENCHA-100G", 18.90),
]
# (method_id, title, cost, tracking: provider slug or custom (name, link template))
SHIPPING = [
    ("flat_rate", "Colissimo à domicile", 4.90, ("colissimo", None)),
    (
        "flat_rate",
        "Mondial Relay en point relais",
        3.90,
        (
            "",
            ("Mondial Relay", "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=%1$s"),
        ),
    ),
    (
        "flat_rate",
        "Chronopost express 24 h",
        9.90,
        (
            "",
            (
                "Chronopost",
                "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=%1$s",
            ),
        ),
    ),
]
# Situation -> (WooCommerce status, what the adapter maps it to, how many)
SITUATIONS = [
    ("paid", "processing", S.PAID, 4),
    ("preparing", "processing", S.PREPARING, 4),
    ("shipped", "completed", S.SHIPPED, 4),
    ("delivered", "completed", S.DELIVERED, 4),
    ("delayed", "completed", S.DELAYED, 4),
    ("cancelled", "cancelled", S.CANCELLED, 4),
    ("awaiting_payment", "on-hold", S.PAID, 1),
    ("pending", "pending", S.PAID, 1),
    ("delivered_long_ago", "completed", S.DELIVERED, 1),
    ("refunded", "refunded", S.RETURNED, 1),
    ("failed", "failed", S.CANCELLED, 1),
    ("draft", "checkout-draft", None, 1),
]
FIRST_ID = 4101


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.lower().replace(" ", "-").replace("'", "")


def _stamp(moment: datetime) -> tuple[str, str]:
    """(site time, GMT) as WooCommerce writes them: 'YYYY-MM-DDTHH:MM:SS'."""
    local = moment.replace(microsecond=0)
    gmt = local.replace(tzinfo=PARIS).astimezone(timezone.utc).replace(tzinfo=None)
    return local.isoformat(), gmt.isoformat()


def _dates(order: dict[str, Any], name: str, moment: datetime | None) -> None:
    local, gmt = _stamp(moment) if moment else (None, None)
    order[f"date_{name}"] = local
    order[f"date_{name}_gmt"] = gmt


def _money(value: float) -> str:
    return f"{value:.2f}"


@dataclass
class Store:
    """The stand-in's state: orders by id, refunds by order id, faults and a call log."""

    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    expected: dict[int, dict[str, Any]] = field(default_factory=dict)  # for demo_orders()
    next_id: int = 9000
    base_url: str = ""  # for Link headers; empty: the address the request came to


def build_store(seed: int = 2024, now: datetime | None = None) -> Store:
    """The orders of every situation, the same for a given seed and day."""
    rng = random.Random(seed)
    now = (now or datetime.now(PARIS).replace(tzinfo=None)).replace(microsecond=0)
    store = Store()
    order_id = FIRST_ID
    meta_ids = itertools.count(50001)
    for situation, wc_status, expected, count in SITUATIONS:
        for _ in range(count):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            postcode, city, street = rng.choice(PLACES)
            method_id, title, cost, provider = rng.choice(SHIPPING)
            email = f"{_ascii(first)}.{_ascii(last)}@exemple.fr"
            age = {
                "paid": 1, "preparing": 2, "shipped": 3, "delivered": 7, "delayed": 10,
                "cancelled": 5, "awaiting_payment": 1, "pending": 0, "delivered_long_ago": 60,
                "refunded": 30, "failed": 2, "draft": 0,
            }[situation]  # fmt: skip
            created = now - timedelta(days=age, hours=rng.randint(1, 8), minutes=rng.randint(0, 59))
            lines, subtotal, taxes = [], 0.0, 0.0
            for n, (pid, name, sku, price) in enumerate(rng.sample(PRODUCTS, rng.randint(1, 3))):
                qty = rng.choice([1, 1, 2])
                gross = round(price * qty, 2)
                net = round(gross / 1.2, 2)
                lines.append(
                    {
                        "id": order_id * 10 + n,
                        "name": name,
                        "product_id": pid,
                        "variation_id": 0,
                        "quantity": qty,
                        "tax_class": "",
                        "subtotal": _money(net),
                        "subtotal_tax": _money(gross - net),
                        "total": _money(net),
                        "total_tax": _money(gross - net),
                        "taxes": [
                            {"id": 1, "total": _money(gross - net), "subtotal": _money(gross - net)}
                        ],
                        "meta_data": [],
                        "sku": sku,
                        "price": round(net / qty, 2),
                    }
                )
                subtotal += gross
                taxes += gross - net
            ship_cost = 0.0 if subtotal >= 60 else cost
            ship_net = round(ship_cost / 1.2, 2)
            address = {
                "first_name": first,
                "last_name": last,
                "company": "",
                "address_1": street,
                "address_2": "",
                "city": city,
                "state": "",
                "postcode": postcode,
                "country": "FR",
            }
            paid = situation not in ("awaiting_payment", "pending", "failed", "draft")
            order: dict[str, Any] = {
                "id": order_id,
                "parent_id": 0,
                "number": str(order_id),
                "order_key": f"wc_order_{rng.getrandbits(48):012x}",
                "created_via": "checkout",
                "version": "9.4.2",
                "status": wc_status,
                "currency": "EUR",
            }
            _dates(order, "created", created)
            _dates(order, "modified", created + timedelta(minutes=3))
            order.update(
                {
                    "discount_total": "0.00",
                    "discount_tax": "0.00",
                    "shipping_total": _money(ship_net),
                    "shipping_tax": _money(ship_cost - ship_net),
                    "cart_tax": _money(taxes),
                    "total": _money(subtotal + ship_cost),
                    "total_tax": _money(taxes + ship_cost - ship_net),
                    "prices_include_tax": True,
                    "customer_id": 0,
                    "customer_ip_address": "",
                    "customer_user_agent": "",
                    "customer_note": "",
                    "billing": {
                        **address,
                        "email": email,
                        "phone": f"06{rng.randint(10**7, 10**8 - 1)}",
                    },
                    "shipping": dict(address),
                    "payment_method": "bacs" if situation == "awaiting_payment" else "stripe",
                    "payment_method_title": "Virement bancaire"
                    if situation == "awaiting_payment"
                    else "Carte bancaire",
                    "transaction_id": "" if not paid else f"pi_{rng.getrandbits(40):010x}",
                }
            )
            _dates(order, "paid", created + timedelta(minutes=1) if paid else None)
            _dates(order, "completed", None)
            order.update(
                {
                    "cart_hash": "",
                    "meta_data": [],
                    "line_items": lines,
                    "tax_lines": [],
                    "shipping_lines": [
                        {
                            "id": order_id * 10 + 9,
                            "method_title": title,
                            "method_id": method_id,
                            "instance_id": "1",
                            "total": _money(ship_net),
                            "total_tax": _money(ship_cost - ship_net),
                            "taxes": [],
                            "meta_data": [],
                        }
                    ],
                    "fee_lines": [],
                    "coupon_lines": [],
                    "refunds": [],
                }
            )
            meta: list[dict[str, Any]] = order["meta_data"]

            def add_meta(key: str, value: Any, meta: list[dict[str, Any]] = meta) -> None:
                meta.append({"id": next(meta_ids), "key": key, "value": value})

            shipped_days = {
                "preparing": -1, "shipped": 1, "delivered": 6, "delayed": 8,
                "delivered_long_ago": 58, "refunded": 28,
            }.get(situation)  # fmt: skip
            if shipped_days is not None:
                shipped = (now - timedelta(days=shipped_days)).replace(hour=0, minute=0, second=0)
                slug, custom = provider
                number = (
                    f"6A{rng.randint(10**10, 10**11 - 1)}"
                    if slug
                    else f"{rng.randint(10**11, 10**12 - 1)}"
                )
                add_meta(
                    "_wc_shipment_tracking_items",
                    [
                        {
                            "tracking_provider": slug,
                            "custom_tracking_provider": custom[0] if custom else "",
                            "custom_tracking_link": custom[1] if custom else "",
                            "tracking_number": number,
                            "date_shipped": str(int(shipped.replace(tzinfo=PARIS).timestamp())),
                            "tracking_id": hashlib.md5(number.encode()).hexdigest(),
                        }
                    ],
                )
                if situation != "preparing":
                    _dates(order, "completed", shipped + timedelta(hours=17))
                    add_meta(
                        "comptoir_expected_delivery",
                        (shipped + timedelta(days=3)).date().isoformat(),
                    )
            if situation in ("delivered", "delivered_long_ago", "refunded"):
                delivered = now - timedelta(days=shipped_days - 3 if shipped_days else 0)
                add_meta("comptoir_delivered_at", delivered.date().isoformat())
            if situation == "delayed":
                add_meta("comptoir_delayed_until", (now + timedelta(days=3)).date().isoformat())
            store.orders[order_id] = order
            store.refunds[order_id] = []
            if situation == "refunded":
                # Three partial refunds, so that a client listing them must follow the pages.
                total = float(order["total"])
                parts = [round(total / 3, 2), round(total / 3, 2)]
                parts.append(round(total - sum(parts), 2))
                for k, amount in enumerate(parts):
                    _add_refund(
                        store,
                        order_id,
                        amount,
                        ["Retour d'un article", "Retour d'un article", "Frais de port"][k],
                        created + timedelta(days=10 + k),
                        api_refund=k != 2,
                    )
            if expected is not None:
                store.expected[order_id] = {
                    "status": expected.value,
                    "returnable": situation == "delivered",
                }
            order_id += 1
    return store


def _add_refund(
    store: Store, order_id: int, amount: float, reason: str, when: datetime, api_refund: bool
) -> dict[str, Any]:
    store.next_id += 1
    refund: dict[str, Any] = {"id": store.next_id}
    _dates(refund, "created", when)
    refund.update(
        {
            "amount": _money(amount),
            "reason": reason,
            "refunded_by": 1,
            "refunded_payment": api_refund,
            "meta_data": [],
            "line_items": [],
        }
    )
    store.refunds[order_id].insert(0, refund)  # newest first, as WooCommerce lists them
    store.orders[order_id]["refunds"].insert(
        0, {"id": refund["id"], "reason": reason, "total": _money(-amount)}
    )
    return refund


SHIPPING_ZONES = [
    {"id": 0, "name": "Reste du monde", "order": 0, "locations": []},
    {"id": 1, "name": "France métropolitaine", "order": 1, "locations": [("FR", "country")]},
    {"id": 2, "name": "Belgique", "order": 2, "locations": [("BE", "country")]},
]


def _setting(key: str, label: str, value: str, kind: str = "text") -> dict[str, Any]:
    return {
        "id": key,
        "label": label,
        "description": "",
        "type": kind,
        "value": value,
        "default": "",
        "tip": "",
        "placeholder": "",
    }


def _method(instance: int, method_id: str, title: str, order: int, **values: str) -> dict[str, Any]:
    settings = {"title": _setting("title", "Titre de la méthode", title)}
    for key, value in values.items():
        settings[key] = _setting(key, key, value, "select" if key == "requires" else "text")
    return {
        "instance_id": instance,
        "title": title,
        "order": order,
        "enabled": True,
        "method_id": method_id,
        "method_title": {
            "flat_rate": "Forfait",
            "free_shipping": "Livraison gratuite",
            "local_pickup": "Retrait sur place",
        }[method_id],
        "method_description": "",
        "settings": settings,
    }


ZONE_METHODS = {
    0: [_method(1, "flat_rate", "Colissimo International", 1, cost="19.90")],
    1: [
        _method(2, "flat_rate", "Colissimo à domicile", 1, cost="4.90", tax_status="taxable"),
        _method(3, "flat_rate", "Mondial Relay en point relais", 2, cost="3.90"),
        _method(4, "flat_rate", "Chronopost express 24 h", 3, cost="9.90"),
        _method(5, "free_shipping", "Livraison offerte", 4, requires="min_amount", min_amount="60"),
        _method(6, "local_pickup", "Retrait à l'atelier (Lyon 3e)", 5, cost="0"),
    ],
    2: [_method(7, "flat_rate", "Bpost à domicile", 1, cost="8.90")],
}


def _error(status: int, code: str, message: str, **data: Any) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message, "data": {"status": status, **data}}, status
    )


def sign(body: bytes, secret: str) -> str:
    """X-WC-Webhook-Signature: base64 of the HMAC-SHA256 of the raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_delivery(
    order: dict[str, Any], secret: str = WEBHOOK_SECRET, topic: str = "order.updated"
) -> tuple[bytes, dict[str, str]]:
    """The body and headers WooCommerce POSTs for this order on `topic`."""
    body = json.dumps(order).replace("/", "\\/").encode()  # wp_json_encode escapes slashes
    resource, event = topic.split(".", 1)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "WooCommerce/9.4.2 Hookshot (WordPress/6.7)",
        "X-WC-Webhook-Source": "https://boutique.exemple.fr/",
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": resource,
        "X-WC-Webhook-Event": event,
        "X-WC-Webhook-Signature": sign(body, secret),
        "X-WC-Webhook-ID": str(WEBHOOK_ID),
        "X-WC-Webhook-Delivery-ID": hashlib.md5(
            f"{WEBHOOK_ID}{time.time_ns()}".encode()
        ).hexdigest(),
    }
    return body, headers


def create_app(
    seed: int = 2024,
    key: str = KEY,
    secret: str = SECRET,
    webhook_secret: str = WEBHOOK_SECRET,
    now: datetime | None = None,
) -> FastAPI:
    """The stand-in's ASGI app. `app.state.store` holds the orders; see the module docstring
    for `app.state.faults`, `app.state.calls` and the /__standin__/ paths."""
    app = FastAPI(title="WooCommerce REST API stand-in", docs_url=None, redoc_url=None)
    app.state.store = build_store(seed, now)
    app.state.faults = []
    app.state.calls = []
    keys = {key: (secret, "read_write"), READ_ONLY_KEY: (READ_ONLY_SECRET, "read")}

    def authenticate(request: Request, write: bool, listing: bool = False) -> JSONResponse | None:
        """WooCommerce's answers: unknown or missing key -> the permission check's 401;
        wrong secret -> authentication error; read key writing -> no write permission."""
        given_key = request.query_params.get("consumer_key")
        given_secret = request.query_params.get("consumer_secret")
        how = "query" if given_key else None
        header = request.headers.get("authorization", "")
        if not given_key and header.lower().startswith("basic "):
            try:
                given_key, _, given_secret = (
                    base64.b64decode(header[6:].strip()).decode().partition(":")
                )
                how = "basic"
            except (ValueError, UnicodeDecodeError):
                given_key = None
        app.state.calls[-1]["auth"] = f"{how}:{given_key}" if how else None
        known = keys.get(given_key or "")
        if known is None or not given_secret:
            action = (
                "list resources"
                if listing
                else ("edit this resource" if write else "view this resource")
            )
            verb = "woocommerce_rest_cannot_edit" if write else "woocommerce_rest_cannot_view"
            return _error(401, verb, f"Sorry, you cannot {action}.")
        if not hmac.compare_digest(known[0].encode(), (given_secret or "").encode()):
            return _error(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )
        if write and known[1] == "read":
            return _error(
                401,
                "woocommerce_rest_authentication_error",
                "The API key provided does not have write permissions.",
            )
        return None

    @app.middleware("http")
    async def faults_and_log(request: Request, call_next: Any) -> Response:
        if not request.url.path.startswith(API):
            return await call_next(request)
        app.state.calls.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "auth": None,
            }
        )
        if app.state.faults:
            fault = app.state.faults.pop(0)
            status = int(fault.get("status", 503))
            headers = {"Retry-After": str(fault["retry_after"])} if fault.get("retry_after") else {}
            if status == 429:
                return _error_with(429, "too_many_requests", "Too many requests.", headers)
            return Response("<html><body>Service indisponible</body></html>", status, headers)
        return await call_next(request)

    def _error_with(status: int, code: str, message: str, headers: dict[str, str]) -> JSONResponse:
        response = _error(status, code, message)
        response.headers.update(headers)
        return response

    def store() -> Store:
        value: Store = app.state.store
        return value

    def find(order_id: str) -> dict[str, Any] | JSONResponse:
        if not order_id.isdigit():
            return _error(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        order = store().orders.get(int(order_id))
        if order is None:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return order

    def paginate(request: Request, rows: list[dict[str, Any]]) -> Response:
        try:
            page = int(request.query_params.get("page", "1"))
            per_page = int(request.query_params.get("per_page", "10"))
        except ValueError:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): page, per_page")
        if not 1 <= per_page <= 100:
            return _error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
                params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
            )
        total = len(rows)
        pages = max(math.ceil(total / per_page), 1) if total else 0
        if page < 1 or (page > pages and total):
            return _error(
                400,
                "woocommerce_rest_invalid_page_number",
                "The page number requested is larger than the number of pages available.",
            )
        chunk = rows[(page - 1) * per_page : page * per_page]
        base = f"{store().base_url or str(request.base_url).rstrip('/')}{request.url.path}"
        query = {
            k: v
            for k, v in request.query_params.items()
            if k not in ("consumer_key", "consumer_secret")
        }
        links = []
        for rel, number in (("prev", page - 1), ("next", page + 1)):
            if 1 <= number <= pages:
                links.append(f'<{base}?{urlencode({**query, "page": number})}>; rel="{rel}"')
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if links:
            headers["Link"] = ", ".join(links)
        return JSONResponse(chunk, headers=headers)

    def links(order: dict[str, Any], request: Request) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/") + API
        return {
            **order,
            "_links": {
                "self": [{"href": f"{base}/orders/{order['id']}"}],
                "collection": [{"href": f"{base}/orders"}],
            },
        }

    @app.get(API + "/orders")
    def list_orders(request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        rows = [o for o in store().orders.values() if o["status"] != "checkout-draft"]
        wanted = request.query_params.get("status", "any")
        if wanted != "any":
            rows = [o for o in rows if o["status"] in wanted.split(",")]
        include = request.query_params.get("include")
        if include:
            ids = {int(i) for i in include.split(",") if i.strip().isdigit()}
            rows = [o for o in rows if o["id"] in ids]
        search = (request.query_params.get("search") or "").strip().lower()
        if search:
            rows = [o for o in rows if search in json.dumps(o["billing"]).lower()]
        rows.sort(key=lambda o: o["date_created"], reverse=True)
        return paginate(request, [links(o, request) for o in rows])

    @app.get(API + "/orders/{order_id}")
    def get_order(order_id: str, request: Request) -> Response:
        refused = authenticate(request, write=False)
        if refused:
            return refused
        found = find(order_id)
        if isinstance(found, JSONResponse):
            return found
        return JSONResponse(links(found, request))

    @app.api_route(API + "/orders/{order_id}", methods=["PUT", "POST", "PATCH"])
    async def update_order(order_id: str, request: Request) -> Response:
        refused = authenticate(request, write=True)
        if refused:
            return refused
        found = find(order_id)
        if isinstance(found, JSONResponse):
            return found
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "rest_invalid_json", "Invalid JSON body passed.")
        if not isinstance(body, dict):
            return _error(400, "rest_invalid_json", "Invalid JSON body passed.")
        status = body.get("status")
        if status is not None and status not in STATUSES:
            return _error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): status",
                params={"status": f"status is not one of {', '.join(STATUSES)}."},
            )
        now = datetime.now(PARIS).replace(tzinfo=None)
        for part in ("billing", "shipping"):
            if isinstance(body.get(part), dict):
                found[part].update({k: str(v) for k, v in body[part].items()})
        for entry in body.get("meta_data") or []:
            kept = [m for m in found["meta_data"] if m["key"] != entry.get("key")]
            store().next_id += 1
            found["meta_data"] = [*kept, {"id": store().next_id, **entry}]
        if status and status != found["status"]:
            found["status"] = status
            if status == "completed":
                _dates(found, "completed", now)
        _dates(found, "modified", now)
        return JSONResponse(links(found, request))

    @app.get(API + "/orders/{order_id}/refunds")
    def list_refunds(order_id: str, request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        found = find(order_id)
        if isinstance(found, JSONResponse):
            return found
        return paginate(request, list(store().refunds[found["id"]]))

    @app.post(API + "/orders/{order_id}/refunds")
    async def create_refund(order_id: str, request: Request) -> Response:
        refused = authenticate(request, write=True)
        if refused:
            return refused
        found = find(order_id)
        if isinstance(found, JSONResponse):
            return found
        body = await request.json()
        amount = float(body.get("amount") or 0)
        done = sum(float(r["amount"]) for r in store().refunds[found["id"]])
        if amount <= 0 or done + amount > float(found["total"]) + 0.001:
            return _error(
                400, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount."
            )
        refund = _add_refund(
            store(),
            found["id"],
            amount,
            str(body.get("reason") or ""),
            datetime.now(PARIS).replace(tzinfo=None),
            bool(body.get("api_refund", True)),
        )
        if abs(done + amount - float(found["total"])) < 0.001:
            found["status"] = "refunded"
        return JSONResponse(refund, 201)

    @app.get(API + "/shipping/zones")
    def zones(request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        return JSONResponse([{k: z[k] for k in ("id", "name", "order")} for z in SHIPPING_ZONES])

    def zone(zone_id: str) -> dict[str, Any] | JSONResponse:
        for z in SHIPPING_ZONES:
            if str(z["id"]) == zone_id:
                return z
        return _error(404, "woocommerce_rest_shipping_zone_invalid", "Resource does not exist.")

    @app.get(API + "/shipping/zones/{zone_id}/locations")
    def zone_locations(zone_id: str, request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        found = zone(zone_id)
        if isinstance(found, JSONResponse):
            return found
        return JSONResponse([{"code": c, "type": t} for c, t in found["locations"]])

    @app.get(API + "/shipping/zones/{zone_id}/methods")
    def zone_methods(zone_id: str, request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        found = zone(zone_id)
        if isinstance(found, JSONResponse):
            return found
        return JSONResponse(ZONE_METHODS[int(found["id"])])

    app.state.catalogue = woocommerce_catalogue.Catalogue()  # products (issue 18)
    woocommerce_catalogue.register(app, API, authenticate, paginate, _error)

    @app.api_route(API + "/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def no_route(rest: str) -> Response:
        return _error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    # -- test hooks ---------------------------------------------------------------------

    @app.post("/__standin__/faults")
    async def add_faults(request: Request) -> Response:
        body = await request.json()
        for _ in range(int(body.get("count", 1))):
            app.state.faults.append(
                {"status": body.get("status", 503), "retry_after": body.get("retry_after")}
            )
        return JSONResponse({"pending": len(app.state.faults)})

    @app.get("/__standin__/calls")
    def calls() -> Response:
        return JSONResponse(app.state.calls)

    @app.delete("/__standin__/calls")
    def clear_calls() -> Response:
        app.state.calls.clear()
        return Response(status_code=204)

    @app.post("/__standin__/orders/{order_id}/delay")
    async def delay(order_id: str, request: Request) -> Response:
        found = find(order_id)
        if isinstance(found, JSONResponse):
            return found
        body = await request.json()
        until = str(body.get("until") or "oui")
        found["meta_data"] = [m for m in found["meta_data"] if m["key"] != "comptoir_delayed_until"]
        store().next_id += 1
        found["meta_data"].append(
            {"id": store().next_id, "key": "comptoir_delayed_until", "value": until}
        )
        raw, headers = webhook_delivery(links(found, request), webhook_secret)
        target = body.get("deliver_to")
        delivered = None
        if target:
            if urlsplit(target).hostname not in ("127.0.0.1", "localhost", "::1"):
                return _error(400, "rest_invalid_param", "deliver_to must be a loopback URL.")
            delivered = requests.post(target, data=raw, headers=headers, timeout=5).status_code
        return JSONResponse({"headers": headers, "body": raw.decode(), "delivered": delivered})

    return app


def demo_orders(seed: int = 2024) -> list[dict[str, Any]]:
    """For each stand-in order a shopper can ask about: its number, the proofs, the status
    the adapter should report and its items (returnable or not). Drafts are left out: the
    adapter answers "not found" for them."""
    store = build_store(seed)
    found = []
    for order_id, expected in store.expected.items():
        order = store.orders[order_id]
        found.append(
            {
                "number": order["number"],
                "email": order["billing"]["email"],
                "postcode": order["shipping"]["postcode"],
                "status": expected["status"],
                "first_name": order["billing"]["first_name"],
                "items": [
                    {"sku": line["sku"], "name": line["name"], "returnable": expected["returnable"]}
                    for line in order["line_items"]
                ],
            }
        )
    return found


def comptoir_env(url: str) -> dict[str, str]:
    """Comptoir's settings for this stand-in at `url`."""
    return {
        "COMPTOIR_SHOP": "woocommerce",
        "COMPTOIR_WOOCOMMERCE_URL": url,
        "COMPTOIR_WOOCOMMERCE_KEY": KEY,
        "COMPTOIR_WOOCOMMERCE_SECRET": SECRET,
        "COMPTOIR_WOOCOMMERCE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def main(argv: list[str] | None = None) -> None:
    import uvicorn

    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.standins.woocommerce",
        description="Serve a local stand-in of the WooCommerce REST API v3, French orders.",
    )
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    app = create_app(args.seed, KEY, SECRET, WEBHOOK_SECRET)
    app.state.store.base_url = f"http://127.0.0.1:{args.port}"
    announce(comptoir_env(app.state.store.base_url), demo_orders(args.seed))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
