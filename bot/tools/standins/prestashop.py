"""A stand-in of the PrestaShop Webservice (/api/), for the adapter's contract tests and for
running Comptoir with COMPTOIR_SHOP=prestashop on one machine.

Written from PrestaShop's documentation, not copied from any shop's data:
- devdocs.prestashop-project.org/9/webservice/tutorials/testing-access (key as the HTTP Basic
  user, no password; `ws_key` in the URL also accepted), .../webservice/cheat-sheet and
  .../tutorials/advanced-use/additional-list-parameters (output_format, display, filter,
  sort, limit=offset,count);
- .../webservice/resources/orders, order_states, order_slip, carriers (fields and shapes);
- PrestaShop's classes/webservice/WebserviceRequest.php (401 codes 16-21 with
  WWW-Authenticate, 401 code 26 for a resource the key may not read, 404 code 87 "Id(s) not
  exists", 405 for a method a resource does not take), WebserviceOutputJSON.php (lists keyed
  by `objectsNodeName`, one object by `objectNodeName`, `[]` for an empty list, errors as
  `{"errors": [{"code", "message"}]}`), WebserviceOutputXML.php (the XML answers, also of
  writes) and classes/order/OrderHistory.php (POST order_histories sets the order's state).

Data: 24 orders (4 paid, 4 preparing, 4 shipped, 4 delivered recently, 4 late, 4 cancelled),
dated relative to `today`, generated deterministically; states, carriers, prices and
configuration as a French shop would have them. A cancellation really changes the order.

Catalogue (products, combinations, stock_availables, product options, categories; issue 18):
bot/tools/standins/prestashop_catalogue.py.

Fault injection for tests (PrestaShop has no rate limit; the proxy or WAF in front may):
`app.state.faults = {"status": 429, "count": 2, "retry_after": 0.2}` (or POST that JSON to
/__standin__/faults) makes the next `count` /api/ calls answer that status, with Retry-After
for a 429. `app.state.calls` lists (method, path, query) of every /api/ call; GET
/__standin__/calls returns it. `app.state.forbidden` (a set of resource names) withholds
those resources from the key, as its permissions would (401, code 26).

    python -m bot.tools.standins.prestashop --port 8091
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from defusedxml import ElementTree as SafeET  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from bot.tools.standins import announce, prestashop_catalogue

KEY = "CMPTRPRSTSHPDEMOKEY2026WEBSERV1C"  # 32 characters, like a PrestaShop webservice key
REALM = (
    'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key as '
    'the login. No password required."'
)
PS_HEADERS = {"PSWS-Version": "8.1.7", "X-Powered-By": "PrestaShop Webservice"}
XLINK = "http://www.w3.org/1999/xlink"

# URL segment -> (objectsNodeName, objectNodeName), as PrestaShop's classes declare them.
RESOURCES = {
    "orders": ("orders", "order"),
    "order_states": ("order_states", "order_state"),
    "order_histories": ("order_histories", "order_history"),
    "order_carriers": ("order_carriers", "order_carrier"),
    "order_details": ("order_details", "order_detail"),
    "order_slip": ("order_slips", "order_slip"),
    "carriers": ("carriers", "carrier"),
    "customers": ("customers", "customer"),
    "addresses": ("addresses", "address"),
    "deliveries": ("deliveries", "delivery"),
    "configurations": ("configurations", "configuration"),
    **prestashop_catalogue.RESOURCES,  # products and what they need (issue 18)
}

# PrestaShop's default states (install data, French names) and the one the shop created for
# late parcels: (name, paid, shipped, delivery, logable, color).
STATES = {
    1: ("En attente du paiement par chèque", 0, 0, 0, 0, "#34209E"),
    2: ("Paiement accepté", 1, 0, 0, 1, "#3498D8"),
    3: ("En cours de préparation", 1, 0, 1, 1, "#3498D8"),
    4: ("Expédié", 1, 1, 1, 1, "#01b887"),
    5: ("Livré", 1, 1, 1, 1, "#01b887"),
    6: ("Annulé", 0, 0, 0, 0, "#2C3E50"),
    7: ("Remboursé", 1, 0, 0, 0, "#ec2e15"),
    8: ("Erreur de paiement", 0, 0, 0, 0, "#ec2e15"),
    9: ("En attente de réapprovisionnement (payé)", 1, 0, 0, 1, "#3498D8"),
    10: ("En attente de virement bancaire", 0, 0, 0, 0, "#34209E"),
    11: ("Paiement à distance accepté", 1, 0, 0, 1, "#3498D8"),
    12: ("En attente de réapprovisionnement (non payé)", 0, 0, 0, 0, "#34209E"),
    13: ("En attente de paiement à la livraison", 0, 0, 0, 0, "#34209E"),
    14: ("Retard de livraison", 1, 1, 1, 1, "#e67e22"),
}
CONFIG = {
    "PS_OS_CHEQUE": "1",
    "PS_OS_PAYMENT": "2",
    "PS_OS_PREPARATION": "3",
    "PS_OS_SHIPPING": "4",
    "PS_OS_DELIVERED": "5",
    "PS_OS_CANCELED": "6",
    "PS_OS_REFUND": "7",
    "PS_OS_ERROR": "8",
    "PS_SHIPPING_FREE_PRICE": "49",
}
# (name, tracking url with @, delay, price, position)
CARRIERS = {
    1: ("Retrait en boutique", "", "Retrait sous 2 h au magasin de Lyon", 0.0, 0),
    2: (
        "Colissimo",
        "https://www.laposte.fr/outils/suivre-vos-envois?code=@",
        "Livraison à domicile en 2 à 3 jours",
        5.9,
        1,
    ),
    3: (
        "Chronopost",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=@",
        "Livraison express en 24 h",
        12.9,
        2,
    ),
    4: (
        "Mondial Relay",
        "https://www.mondialrelay.fr/suivi-de-colis/?NumeroExpedition=@",
        "Livraison en point relais en 3 à 5 jours",
        3.9,
        3,
    ),
}
FIRST = ["Camille", "Léa", "Hugo", "Manon", "Lucas", "Chloé", "Louis", "Inès", "Jules", "Zoé"]
LAST = ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Roux"]
PLACES = [
    ("12 rue des Lilas", "69003", "Lyon"),
    ("4 avenue Jean Jaurès", "31000", "Toulouse"),
    ("27 boulevard de la Liberté", "59800", "Lille"),
    ("8 place du Marché", "35000", "Rennes"),
    ("15 rue Victor Hugo", "33000", "Bordeaux"),
    ("3 allée des Tilleuls", "44000", "Nantes"),
    ("21 quai Saint-Pierre", "13002", "Marseille"),
    ("6 rue de la République", "67000", "Strasbourg"),
]
# (reference, name, price incl. tax, customizable)
PRODUCTS = [
    ("TH-VERT-100", "Thé vert Sencha bio 100 g", 8.9, False),
    ("TAS-GRES-02", "Tasse en grès émaillé bleu", 14.5, False),
    ("THE-FONTE-08", "Théière en fonte 0,8 L", 39.0, False),
    ("INF-INOX", "Infuseur en acier inoxydable", 6.5, False),
    ("COF-CADEAU", "Coffret découverte de thés", 29.9, False),
    ("MUG-PRENOM", "Mug gravé à votre prénom", 19.9, True),
    ("TAB-CHENE", "Plateau en chêne massif gravé", 34.0, True),
    ("ROO-VANIL", "Rooibos vanille 100 g", 7.9, False),
]
SITUATIONS = ["paid", "preparing", "shipped", "delivered", "delayed", "cancelled"]


@dataclass
class Shop:
    """The webservice's tables: resource -> id -> row in PrestaShop's JSON shape."""

    tables: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    demo: list[dict[str, Any]] = field(default_factory=list)

    def add(self, resource: str, row: dict[str, Any]) -> dict[str, Any]:
        table = self.tables.setdefault(resource, {})
        row = {"id": max(table, default=0) + 1, **row}
        table[row["id"]] = row
        return row


def _stamp(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour, 12, 5)).strftime("%Y-%m-%d %H:%M:%S")


def _money(value: float) -> str:
    return f"{value:.6f}"


def build(today: date | None = None, seed: int = 16) -> Shop:
    """The stand-in's shop, the same for the same day and seed."""
    today = today or date.today()
    rng = random.Random(seed)
    shop = Shop()
    for sid, (name, paid, shipped, in_delivery, logable, color) in STATES.items():
        shop.tables.setdefault("order_states", {})[sid] = {
            "id": sid,
            "unremovable": "1" if sid <= 13 else "0",
            "delivery": str(in_delivery),
            "hidden": "0",
            "send_email": "1" if sid in (2, 3, 4, 5, 6, 7, 14) else "0",
            "module_name": "",
            "invoice": str(paid),
            "color": color,
            "logable": str(logable),
            "shipped": str(shipped),
            "paid": str(paid),
            "pdf_delivery": str(shipped),
            "pdf_invoice": str(paid),
            "deleted": "0",
            "name": name,
            "template": "",
        }
    for n, (name, value) in enumerate(CONFIG.items(), start=1):
        shop.tables.setdefault("configurations", {})[n] = {
            "id": n,
            "value": value,
            "name": name,
            "id_shop_group": "",
            "id_shop": "",
            "date_add": "2024-01-15 09:00:00",
            "date_upd": "2024-01-15 09:00:00",
        }
    for cid, (name, url, delay, price, position) in CARRIERS.items():
        shop.tables.setdefault("carriers", {})[cid] = {
            "id": cid,
            "deleted": "0",
            "is_module": "0",
            "id_tax_rules_group": "1",
            "id_reference": str(cid),
            "name": name,
            "active": "1",
            "is_free": "1" if price == 0 else "0",
            "url": url,
            "shipping_handling": "0",
            "shipping_external": "0",
            "range_behavior": "0",
            "shipping_method": "2",
            "max_width": "0",
            "max_height": "0",
            "max_depth": "0",
            "max_weight": "30.000000",
            "grade": "0",
            "external_module_name": "",
            "need_range": "0",
            "position": str(position),
            "delay": delay,
        }
        for zone, extra in ((1, 0.0), (9, 4.0)):  # France, then Corsica/overseas
            shop.add(
                "deliveries",
                {
                    "id_carrier": str(cid),
                    "id_range_price": "1",
                    "id_range_weight": "0",
                    "id_zone": str(zone),
                    "id_shop": "",
                    "id_shop_group": "",
                    "price": _money(price + extra if price else 0.0),
                },
            )
    references: set[str] = set()
    for n in range(24):
        situation = SITUATIONS[n % 6]
        first, last = FIRST[n % len(FIRST)], LAST[(n * 3) % len(LAST)]
        street, postcode, city = PLACES[n % len(PLACES)]
        email = f"{_ascii(first)}.{_ascii(last)}{n + 1}@exemple.fr".lower()
        customer = shop.add(
            "customers",
            {
                "id_default_group": "3",
                "id_lang": "1",
                "newsletter_date_add": "0000-00-00 00:00:00",
                "ip_registration_newsletter": "",
                "last_passwd_gen": "2024-01-01 10:00:00",
                "secure_key": hashlib.md5(email.encode()).hexdigest(),
                "deleted": "0",
                "passwd": "",
                "lastname": last,
                "firstname": first,
                "email": email,
                "id_gender": "1",
                "birthday": "0000-00-00",
                "newsletter": "0",
                "optin": "0",
                "active": "1",
                "is_guest": "1" if n % 5 == 0 else "0",
                "id_shop": "1",
                "id_shop_group": "1",
                "date_add": _stamp(today - timedelta(days=200 + n), 10),
                "date_upd": _stamp(today - timedelta(days=200 + n), 10),
            },
        )
        delivery = shop.add("addresses", _address(customer, first, last, street, postcode, city))
        invoice = delivery
        if n % 4 == 3:  # billed elsewhere: the invoice postcode is a proof too
            w_street, w_postcode, w_city = PLACES[(n + 3) % len(PLACES)]
            invoice = shop.add(
                "addresses", _address(customer, first, last, w_street, w_postcode, w_city, "Bureau")
            )
        ref = ""
        while not ref or ref in references:
            ref = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(9))
        references.add(ref)
        _order(shop, n, situation, ref, today, rng, customer, delivery, invoice, email, postcode)
    return shop


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("éèêëïîôàç", "eeeeiioac"))


def _address(
    customer: dict[str, Any],
    first: str,
    last: str,
    street: str,
    postcode: str,
    city: str,
    alias: str = "Mon adresse",
) -> dict[str, Any]:
    return {
        "id_customer": str(customer["id"]),
        "id_manufacturer": "0",
        "id_supplier": "0",
        "id_warehouse": "0",
        "id_country": "8",  # France in a default install
        "id_state": "0",
        "alias": alias,
        "company": "",
        "lastname": last,
        "firstname": first,
        "vat_number": "",
        "address1": street,
        "address2": "",
        "postcode": postcode,
        "city": city,
        "other": "",
        "phone": "",
        "phone_mobile": "0612345678",
        "dni": "",
        "deleted": "0",
        "date_add": customer["date_add"],
        "date_upd": customer["date_upd"],
    }


def _order(
    shop: Shop,
    n: int,
    situation: str,
    ref: str,
    today: date,
    rng: random.Random,
    customer: dict[str, Any],
    delivery: dict[str, Any],
    invoice: dict[str, Any],
    email: str,
    postcode: str,
) -> None:
    """One order in PrestaShop's shapes, with its history, shipment and credit slips."""
    k = n // 6  # 0..3 within its situation
    carrier = 2 + (n % 3)  # Colissimo, Chronopost, Mondial Relay
    if situation == "delayed":
        carrier = 2  # Colissimo, "2 à 3 jours"
    placed = today - timedelta(
        days={"paid": 0, "preparing": 1, "shipped": 3, "delivered": 6, "delayed": 14}.get(
            situation, 5
        )
        + k % 2
    )
    picks = rng.sample(range(len(PRODUCTS)), 2 if n % 2 else 3)
    if situation == "delivered" and k % 2 == 0 and 5 not in picks:
        picks[-1] = 5  # a personalised mug: not returnable
    rows = []
    total_products = 0.0
    for i, p in enumerate(picks):
        sku, name, price, custom = PRODUCTS[p]
        qty = 1 + (n + i) % 2
        total_products += price * qty
        rows.append(
            {
                "id": str(100 * (n + 1) + i),
                "product_id": str(p + 1),
                "product_attribute_id": "0",
                "product_quantity": str(qty),
                "product_name": name,
                "product_reference": sku,
                "product_ean13": "",
                "product_isbn": "",
                "product_upc": "",
                "product_price": _money(price / 1.2),
                "id_customization": str(n + 1) if custom else "0",
                "unit_price_tax_incl": _money(price),
                "unit_price_tax_excl": _money(price / 1.2),
            }
        )
    shipping = 0.0 if total_products >= 49 else CARRIERS[carrier][3]
    total = round(total_products + shipping, 2)
    states: list[tuple[int, date]] = []
    if situation == "paid" and k == 3:
        states = [(10, placed)]  # awaiting a bank transfer
    else:
        states = [(2, placed)]
    if situation in ("preparing", "shipped", "delivered", "delayed"):
        states.append((3, placed))
    shipped_on = None
    if situation == "shipped":
        shipped_on = today - timedelta(days=1 + k % 2)
        states.append((4, shipped_on))
    if situation == "delivered":
        shipped_on = placed + timedelta(days=1)
        states += [(4, shipped_on), (5, today - timedelta(days=2 + k))]
    if situation == "delayed":
        shipped_on = placed + timedelta(days=1)
        states.append((4, shipped_on))
        if k < 2:  # the shop marked it late; the other two are simply overdue
            states.append((14, today - timedelta(days=2)))
    if situation == "cancelled":
        states.append((6, placed + timedelta(days=1)))
    order = shop.add(
        "orders",
        {
            "id_address_delivery": str(delivery["id"]),
            "id_address_invoice": str(invoice["id"]),
            "id_cart": str(n + 1),
            "id_currency": "1",
            "id_lang": "1",
            "id_customer": str(customer["id"]),
            "id_carrier": str(carrier),
            "current_state": str(states[-1][0]),
            "module": "ps_checkout" if states[0][0] == 2 else "ps_wirepayment",
            "invoice_number": str(n + 1) if states[0][0] == 2 else "0",
            "invoice_date": _stamp(placed, 9) if states[0][0] == 2 else "0000-00-00 00:00:00",
            "delivery_number": str(n + 1) if shipped_on else "0",
            "delivery_date": _stamp(shipped_on, 11) if shipped_on else "0000-00-00 00:00:00",
            "valid": "1" if states[0][0] == 2 and situation != "cancelled" else "0",
            "date_add": _stamp(placed, 9),
            "date_upd": _stamp(states[-1][1], 11),
            "shipping_number": "",
            "note": "",
            "id_shop_group": "1",
            "id_shop": "1",
            "secure_key": hashlib.md5(ref.encode()).hexdigest(),
            "payment": "Carte bancaire" if states[0][0] == 2 else "Virement bancaire",
            "recyclable": "0",
            "gift": "0",
            "gift_message": "",
            "mobile_theme": "0",
            "total_discounts": _money(0),
            "total_discounts_tax_incl": _money(0),
            "total_discounts_tax_excl": _money(0),
            "total_paid": _money(total),
            "total_paid_tax_incl": _money(total),
            "total_paid_tax_excl": _money(total / 1.2),
            "total_paid_real": _money(total if states[0][0] == 2 else 0),
            "total_products": _money(total_products / 1.2),
            "total_products_wt": _money(total_products),
            "total_shipping": _money(shipping),
            "total_shipping_tax_incl": _money(shipping),
            "total_shipping_tax_excl": _money(shipping / 1.2),
            "carrier_tax_rate": "20.000",
            "total_wrapping": _money(0),
            "total_wrapping_tax_incl": _money(0),
            "total_wrapping_tax_excl": _money(0),
            "round_mode": "2",
            "round_type": "2",
            "conversion_rate": "1.000000",
            "reference": ref,
            "associations": {"order_rows": rows},
        },
    )
    for row in rows:
        shop.tables.setdefault("order_details", {})[int(row["id"])] = {
            "id": int(row["id"]),
            "id_order": str(order["id"]),
            "product_id": row["product_id"],
            "product_name": row["product_name"],
            "product_quantity": row["product_quantity"],
            "product_quantity_refunded": "0",
            "product_quantity_return": "0",
            "product_reference": row["product_reference"],
            "unit_price_tax_incl": row["unit_price_tax_incl"],
            "unit_price_tax_excl": row["unit_price_tax_excl"],
            "id_customization": row["id_customization"],
        }
    for hour, (state, day) in enumerate(states, start=9):
        shop.add(
            "order_histories",
            {
                "id_employee": "0" if hour == 9 else "1",
                "id_order_state": str(state),
                "id_order": str(order["id"]),
                "date_add": _stamp(day, hour),
            },
        )
    tracking = ""
    if shipped_on:
        prefix = {2: "6A", 3: "XR", 4: "MR"}[carrier]
        tracking = f"{prefix}{rng.randrange(10**10, 10**11)}FR"
    shop.add(
        "order_carriers",
        {
            "id_order": str(order["id"]),
            "id_carrier": str(carrier),
            "id_order_invoice": str(n + 1) if states[0][0] == 2 else "0",
            "weight": "0.850000",
            "shipping_cost_tax_excl": _money(shipping / 1.2),
            "shipping_cost_tax_incl": _money(shipping),
            "tracking_number": tracking,
            "date_add": order["date_add"],
        },
    )
    if situation == "cancelled" and k < 2 or situation == "delivered" and k == 1:
        partial = situation == "delivered"
        amount = float(rows[0]["unit_price_tax_incl"]) if partial else total
        shop.add(
            "order_slip",
            {
                "id_customer": str(customer["id"]),
                "id_order": str(order["id"]),
                "conversion_rate": "1.000000",
                "total_products_tax_excl": _money((amount - (0 if partial else shipping)) / 1.2),
                "total_products_tax_incl": _money(amount - (0 if partial else shipping)),
                "total_shipping_tax_excl": _money(0 if partial else shipping / 1.2),
                "total_shipping_tax_incl": _money(0 if partial else shipping),
                "amount": _money(amount),
                "shipping_cost": "0" if partial else "1",
                "shipping_cost_amount": _money(0 if partial else shipping),
                "partial": "1" if partial else "0",
                "date_add": _stamp(today - timedelta(days=1), 15),
                "date_upd": _stamp(today - timedelta(days=1), 15),
                "order_slip_type": "0",
                "associations": {
                    "order_slip_details": [
                        {
                            "id": rows[0]["id"],
                            "id_order_detail": rows[0]["id"],
                            "product_quantity": "1",
                            "amount_tax_excl": rows[0]["unit_price_tax_excl"],
                            "amount_tax_incl": rows[0]["unit_price_tax_incl"],
                        }
                    ]
                },
            },
        )
    shop.demo.append(
        {
            "number": ref,
            "email": email,
            "postcode": postcode,
            "status": situation,
            "first_name": customer["firstname"],
            "items": [
                {
                    "name": r["product_name"],
                    "returnable": situation == "delivered" and r["id_customization"] == "0",
                }
                for r in rows
            ],
        }
    )


def demo_orders(today: date | None = None) -> list[dict[str, Any]]:
    """Each stand-in order as a shopper knows it, and the status the adapter should give it."""
    return build(today).demo


# -- the webservice ---------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    fmt = request.query_params.get("output_format") or request.headers.get("Output-Format", "")
    return fmt.upper() == "JSON"


def _xml_value(name: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml_value(k, v) for k, v in value.items())
        return f"<{name}>{inner}</{name}>"
    if isinstance(value, list):  # an association: <order_rows><order_row>...</order_row>...
        singular = name[:-1] if name.endswith("s") else name
        return f"<{name}>" + "".join(_xml_value(singular, v) for v in value) + f"</{name}>"
    return f"<{name}><![CDATA[{value}]]></{name}>"


def _xml(inner: str) -> str:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f'{head}<prestashop xmlns:xlink="{XLINK}">{inner}</prestashop>\n'


def _errors(request: Request, status: int, errors: list[tuple[int, str]]) -> Response:
    headers = dict(PS_HEADERS)
    if status == 401:
        headers["WWW-Authenticate"] = REALM
    if _wants_json(request):
        body = {"errors": [{"code": c, "message": m} for c, m in errors]}
        return JSONResponse(body, status_code=status, headers=headers)
    inner = "".join(
        f"<error><code><![CDATA[{c}]]></code><message><![CDATA[{m}]]></message></error>"
        for c, m in errors
    )
    return Response(
        _xml(f"<errors>{inner}</errors>"), status, headers=headers, media_type="text/xml"
    )


def _authenticate(request: Request, key: str) -> list[tuple[int, str]]:
    """PrestaShop's checks, in its order: no credentials, empty key, bad format, unknown."""
    given = request.query_params.get("ws_key")
    auth = request.headers.get("Authorization", "")
    if given is None and auth.lower().startswith("basic "):
        try:
            given = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            given = ""
    if given is None:
        return [(16, "Please enter the authentication key as the login. No password required")]
    given = given.strip()
    if not given:
        return [(17, "Authentication key is empty")]
    if len(given) != 32:
        return [(18, "Invalid authentication key format")]
    if given != key:
        return [
            (20, "Authentification key is not active"),
            (21, "No permission for this authentication key"),
        ]
    return []


def _matches(value: Any, spec: str) -> bool:
    """PrestaShop's filter syntax: [a|b] (or), [a,b] (interval), [a]% / %[a] / %[a]%."""
    text = str(value if value is not None else "").lower()
    m = re.fullmatch(r"(%?)\[(.*)\](%?)", spec.strip())
    if not m:
        return False
    begin, inner, end = m.group(1), m.group(2).lower(), m.group(3)
    if begin or end:
        if begin and end:
            return inner in text
        return text.endswith(inner) if begin else text.startswith(inner)
    if "," in inner and "|" not in inner:
        low, high = inner.split(",", 1)
        try:
            return float(low) <= float(text) <= float(high)
        except ValueError:
            return low <= text <= high
    return text in inner.split("|")


def _listing(request: Request, resource: str, rows: list[dict[str, Any]]) -> Response:
    q = request.query_params
    for name, spec in q.items():
        m = re.fullmatch(r"filter\[(\w+)\]", name)
        if m:
            rows = [r for r in rows if _matches(r.get(m.group(1)), spec)]
    sort = q.get("sort", "[id_ASC]").strip("[]").split(",")[0]
    key, _, way = sort.rpartition("_")
    key = key or "id"
    rows = sorted(
        rows,
        key=lambda r: int(r[key]) if str(r.get(key, "")).isdigit() else str(r.get(key, "")),
        reverse=way.upper() == "DESC",
    )
    limit = q.get("limit")
    if limit:
        start, _, count = limit.partition(",")
        offset, size = (int(start), int(count)) if count else (0, int(start))
        rows = rows[offset : offset + size]
    display = q.get("display")
    plural, singular = RESOURCES[resource]
    if display == "full":
        shown = rows
    elif display:
        fields = [f.strip() for f in display.strip("[]").split(",")]
        shown = [{f: r.get(f) for f in fields if f in r} for r in rows]
    else:
        shown = [{"id": r["id"]} for r in rows]
    if _wants_json(request):
        return JSONResponse({plural: shown} if shown else [], headers=PS_HEADERS)
    if display:
        inner = "".join(_xml_value(singular, r) for r in shown)
    else:
        base = str(request.base_url).rstrip("/")
        inner = "".join(
            f'<{singular} id="{r["id"]}" xlink:href="{base}/api/{resource}/{r["id"]}"/>'
            for r in shown
        )
    return Response(
        _xml(f"<{plural}>{inner}</{plural}>"), headers=PS_HEADERS, media_type="text/xml"
    )


def create_app(key: str = KEY, today: date | None = None, seed: int = 16) -> FastAPI:
    """The stand-in webservice over a fresh shop (state lives in `app.state.shop`)."""
    app = FastAPI(title="PrestaShop Webservice stand-in", docs_url=None, redoc_url=None)
    app.state.shop = build(today, seed)
    prestashop_catalogue.populate(app.state.shop)
    app.state.faults = {"status": 0, "count": 0, "retry_after": 0}
    app.state.calls = []
    app.state.forbidden = set()  # resources the key may not read (401, code 26)

    @app.post("/__standin__/faults")
    async def set_faults(request: Request) -> dict[str, Any]:
        app.state.faults = {"status": 0, "count": 0, "retry_after": 0, **await request.json()}
        return dict(app.state.faults)

    @app.get("/__standin__/calls")
    async def calls() -> list[list[str]]:
        return [list(c) for c in app.state.calls]

    @app.api_route("/api/{resource}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
    async def collection(resource: str, request: Request) -> Response:
        return await _serve(app, key, request, resource, None)

    @app.api_route(
        "/api/{resource}/{ident}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    )
    async def one(resource: str, ident: str, request: Request) -> Response:
        return await _serve(app, key, request, resource, ident)

    return app


async def _serve(
    app: FastAPI, key: str, request: Request, resource: str, ident: str | None
) -> Response:
    app.state.calls.append((request.method, request.url.path, str(request.url.query)))
    faults = app.state.faults
    if faults.get("count", 0) > 0 and faults.get("status"):
        faults["count"] -= 1
        headers = dict(PS_HEADERS)
        if faults["status"] == 429:
            headers["Retry-After"] = str(faults.get("retry_after", 1))
        return Response(
            "Too many requests" if faults["status"] == 429 else "Server error",
            faults["status"],
            headers=headers,
        )
    problems = _authenticate(request, key)
    if problems:
        return _errors(request, 401, problems)
    if resource not in RESOURCES:
        return _errors(request, 400, [(27, f'Resource of type "{resource}" does not exists')])
    if resource in app.state.forbidden:  # a key without this resource's permission
        message = f'Resource of type "{resource}" is not allowed with this authentication key'
        return _errors(request, 401, [(26, message)])
    shop: Shop = app.state.shop
    table = shop.tables.setdefault(resource, {})
    method = request.method
    if method == "POST" and resource == "order_histories" and ident is None:
        return await _add_history(request, shop)
    if method not in ("GET", "HEAD"):
        return _errors(request, 405, [(23, f"Method {method} is not valid for {resource}")])
    rows = list(table.values())
    if resource == "products":  # price[alias][use_tax]=1: computed prices with tax
        rows = prestashop_catalogue.priced(request, rows)
    if ident is None:
        return _listing(request, resource, rows)
    if not ident.isdigit() or int(ident) not in table:
        return _errors(request, 404, [(87, f"Id(s) not exists: {ident}")])
    row = next(r for r in rows if r["id"] == int(ident))
    singular = RESOURCES[resource][1]
    if _wants_json(request):
        return JSONResponse({singular: row}, headers=PS_HEADERS)
    return Response(_xml(_xml_value(singular, row)), headers=PS_HEADERS, media_type="text/xml")


async def _add_history(request: Request, shop: Shop) -> Response:
    """POST order_histories (XML): the order takes the new state, like OrderHistory::addWs."""
    try:
        root = SafeET.fromstring(await request.body())
        node = root.find("order_history")
        id_order = int((node.findtext("id_order") or "").strip())
        id_state = int((node.findtext("id_order_state") or "").strip())
    except Exception:
        return _errors(request, 400, [(127, "XML error : String could not be parsed as XML")])
    if id_order not in shop.tables["orders"]:
        return _errors(request, 400, [(86, "id_order is invalid")])
    if id_state not in shop.tables["order_states"]:
        return _errors(request, 400, [(86, "id_order_state is invalid")])
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    row = shop.add(
        "order_histories",
        {
            "id_employee": "0",
            "id_order_state": str(id_state),
            "id_order": str(id_order),
            "date_add": now,
        },
    )
    order = shop.tables["orders"][id_order]
    order["current_state"], order["date_upd"] = str(id_state), now
    body = _xml(_xml_value("order_history", row))
    return Response(body, 201, headers=PS_HEADERS, media_type="text/xml")


def comptoir_env(url: str) -> dict[str, str]:
    """Comptoir's settings for this stand-in at `url`."""
    return {
        "COMPTOIR_SHOP": "prestashop",
        "COMPTOIR_PRESTASHOP_URL": url,
        "COMPTOIR_PRESTASHOP_KEY": KEY,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.standins.prestashop",
        description="PrestaShop Webservice stand-in (loopback).",
    )
    parser.add_argument("--port", type=int, default=8300)
    args = parser.parse_args()
    import uvicorn

    announce(comptoir_env(f"http://127.0.0.1:{args.port}"), demo_orders())
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
