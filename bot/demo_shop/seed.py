"""Deterministic, realistic French data for the demo shop.

Everything drawn from `random.Random(seed)` (names, e-mails, numbers, items) is identical on
every run; dates are offsets from the moment of seeding, so that a demo seeded today has
orders still inside the 14-day return window. The random draws never depend on the date.
"""

from __future__ import annotations

import functools
import logging
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.catalogue.generate import generate
from bot.catalogue.legacy import CATALOGUE
from bot.catalogue.models import Product
from bot.catalogue.wire import to_wire
from bot.clients.shop.models import OrderStatus
from bot.demo_shop import db, rules

log = logging.getLogger(__name__)

ORDERS_PER_STATUS = 30
CUSTOMERS = 72
FIRST_NUMBER = 481_200

# The demo shop's products: the first of the generated catalogue (bot/catalogue/legacy.py).
RETURNABLE_CATEGORIES = ("mode", "maison", "petit électroménager", "high-tech")
CATEGORY_WEIGHTS = {
    "mode": 30,
    "maison": 16,
    "petit électroménager": 10,
    "high-tech": 14,
    "cosmétiques": 10,
    "parfum": 6,
    "lingerie": 6,
    "cartes cadeaux": 3,
    "personnalisé": 5,
}

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Emma",
    "Inès",
    "Sarah",
    "Julie",
    "Marie",
    "Sophie",
    "Nathalie",
    "Isabelle",
    "Céline",
    "Aurélie",
    "Élodie",
    "Pauline",
    "Lucie",
    "Clara",
    "Anaïs",
    "Margaux",
    "Yasmine",
    "Françoise",
    "Lucas",
    "Hugo",
    "Thomas",
    "Nicolas",
    "Julien",
    "Maxime",
    "Antoine",
    "Alexandre",
    "Pierre",
    "Louis",
    "Mathieu",
    "Romain",
    "Kévin",
    "Théo",
    "Enzo",
    "Jean",
    "Philippe",
    "Laurent",
    "Sébastien",
    "Yannick",
    "Karim",
    "Mehdi",
    "Gaëlle",
    "Noémie",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Perrin",
    "Morin",
    "Clément",
    "Gauthier",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Benali",
    "Nguyen",
    "Le Goff",
    "Caron",
    "Lemoine",
]
# Fictional mailboxes: realistic shape, domains that cannot reach a real person.
EMAIL_DOMAINS = ["exemple.fr", "exemple.com", "exemple.net", "courriel.exemple.fr"]
CITIES = [
    ("75011", "Paris"),
    ("75015", "Paris"),
    ("75018", "Paris"),
    ("69003", "Lyon"),
    ("69007", "Lyon"),
    ("13006", "Marseille"),
    ("31000", "Toulouse"),
    ("06000", "Nice"),
    ("44000", "Nantes"),
    ("67000", "Strasbourg"),
    ("34000", "Montpellier"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("35000", "Rennes"),
    ("51100", "Reims"),
    ("76600", "Le Havre"),
    ("42000", "Saint-Étienne"),
    ("83000", "Toulon"),
    ("38000", "Grenoble"),
    ("21000", "Dijon"),
    ("49000", "Angers"),
    ("30000", "Nîmes"),
    ("69100", "Villeurbanne"),
    ("63000", "Clermont-Ferrand"),
    ("72000", "Le Mans"),
    ("13100", "Aix-en-Provence"),
    ("29200", "Brest"),
    ("37000", "Tours"),
    ("80000", "Amiens"),
    ("87000", "Limoges"),
    ("74000", "Annecy"),
    ("66000", "Perpignan"),
    ("57000", "Metz"),
    ("25000", "Besançon"),
    ("45000", "Orléans"),
    ("76000", "Rouen"),
    ("14000", "Caen"),
    ("54000", "Nancy"),
    ("84000", "Avignon"),
    ("86000", "Poitiers"),
    ("17000", "La Rochelle"),
    ("64000", "Pau"),
    ("56000", "Vannes"),
    ("73000", "Chambéry"),
    ("68000", "Colmar"),
    ("93100", "Montreuil"),
]
STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "boulevard Gambetta",
    "rue du Général Leclerc",
    "place de la Mairie",
    "rue des Lilas",
    "impasse des Tilleuls",
    "chemin des Vignes",
    "allée des Peupliers",
    "rue Pasteur",
    "rue de la Gare",
    "avenue Foch",
    "rue Nationale",
    "rue du Moulin",
    "boulevard Voltaire",
    "rue Émile Zola",
    "quai de la Loire",
]
LINE2 = [
    "Appartement 12",
    "Bâtiment B",
    "Résidence Les Iris",
    "3e étage, porte gauche",
    "Escalier C",
    "Chez M. et Mme",
]
RELAY_SHOPS = [
    "Tabac de la Gare",
    "Presse du Marché",
    "Carrefour City",
    "Pressing des Halles",
    "Fleuriste Les Jardins",
    "Cordonnerie Centrale",
    "Épicerie du Centre",
]
METHOD_WEIGHTS = {
    "colissimo_domicile": 35,
    "mondial_relay": 25,
    "colissimo_point_retrait": 10,
    "chronopost_express": 12,
    "dpd_predict": 18,
}
WAREHOUSE = "Entrepôt Comptoir, Saint-Quentin-Fallavier"
RETURN_REASONS = [
    "Taille trop petite",
    "Taille trop grande",
    "Ne correspond pas à la photo",
    "Changement d'avis",
    "Article reçu en double",
]


@dataclass
class _Plan:
    """One order's story, as offsets in days before the seeding moment."""

    status: OrderStatus
    k: int
    placed: float
    shipped: float | None = None
    delivered: float | None = None
    expected_in: int | None = None  # days from today (negative: in the past)
    extra: dict[str, float] = field(default_factory=dict)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def _customers(rng: random.Random, now: datetime) -> list[db.CustomerRow]:
    customers, emails = [], set()
    for _ in range(CUSTOMERS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        f, n = _slug(first), _slug(last)
        local = rng.choice(
            [
                f"{f}.{n}",
                f"{f[0]}.{n}{rng.randint(10, 99)}",
                f"{f}{n}",
                f"{n}.{f}{rng.randint(70, 99)}",
            ]
        )
        email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        while email in emails:
            email = email.replace("@", f"{rng.randint(1, 9)}@", 1)
        emails.add(email)
        phone = f"0{rng.choice('67')} " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4))
        customer = db.CustomerRow(
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            created_at=now - timedelta(days=rng.randint(60, 900)),
        )
        for _ in range(1 if rng.random() < 0.8 else 2):
            postcode, city = rng.choice(CITIES)
            line2 = rng.choice(LINE2) if rng.random() < 0.25 else None
            customer.addresses.append(
                db.AddressRow(
                    name=f"{first} {last}",
                    line1=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                    line2=line2,
                    postcode=postcode,
                    city=city,
                    country="FR",
                )
            )
        customers.append(customer)
    return customers


def _plan(rng: random.Random, status: OrderStatus, k: int) -> _Plan:
    """Offsets for one order; the draws depend on (status, k) only, never on today's date."""
    u = rng.uniform
    S = OrderStatus
    if status == S.PAID:
        return _Plan(status, k, placed=u(0.05, 0.9))
    if status == S.PREPARING:
        return _Plan(status, k, placed=u(0.6, 2.0))
    if status == S.CANCELLED:
        placed = u(1.0, 30.0)
        return _Plan(status, k, placed=placed, extra={"cancelled": placed - u(0.05, 0.8)})
    if status in (S.SHIPPED, S.OUT_FOR_DELIVERY):
        shipped = u(0.6, 2.5)
        expected = 0 if status == S.OUT_FOR_DELIVERY else rng.randint(0, 2)
        return _Plan(
            status,
            k,
            placed=shipped + u(0.3, 1.2),
            shipped=shipped,
            expected_in=expected,
            extra={"ofd": u(1, 4) / 24},
        )
    if status == S.DELAYED:
        late = rng.randint(1, 9)
        shipped = late + rng.randint(1, 4) + u(0.1, 0.9)
        return _Plan(
            status,
            k,
            placed=shipped + u(0.3, 1.2),
            shipped=shipped,
            expected_in=-late,
            extra={"delay": late - u(0.1, 0.6)},
        )
    if status == S.DELIVERED:
        delivered = u(16, 45) if k % 3 == 2 else u(0.2, 1.5) if k % 10 == 1 else u(2, 12)
    else:  # RETURNED: delivered, then sent back within the withdrawal period
        delivered = u(6, 40)
    shipped = delivered + u(1, 3)
    created = delivered - u(0.5, min(12.0, delivered - 0.2))
    return _Plan(
        status,
        k,
        placed=shipped + u(0.3, 1.5),
        shipped=shipped,
        delivered=delivered,
        expected_in=0,
        extra={"return_created": created, "return_received": created - u(2, 5)},
    )


def _pick_products(rng: random.Random, plan: _Plan) -> list[tuple]:
    """1–4 distinct products; some delivered orders get the articles the demo needs."""
    by_cat = {category: [p for p in CATALOGUE if p[2] == category] for category in CATEGORY_WEIGHTS}
    count = rng.choices([1, 2, 3, 4], weights=[45, 30, 17, 8])[0]
    cats = list(CATEGORY_WEIGHTS)
    if plan.status == OrderStatus.RETURNED:
        cats = list(RETURNABLE_CATEGORIES)
    chosen: list[tuple] = []
    if plan.status == OrderStatus.DELIVERED and plan.k % 5 == 1:
        chosen.append(rng.choice(by_cat["cosmétiques"]))  # opened below: hygiene refusal demo
    if plan.status == OrderStatus.DELIVERED and plan.k % 5 == 3:
        chosen.append(rng.choice(by_cat[rng.choice(["lingerie", "personnalisé"])]))
    if plan.status == OrderStatus.DELIVERED and plan.k % 6 == 4:
        count = max(count, 2)  # room for a partial return
    while len(chosen) < count:
        cat = rng.choices(cats, weights=[CATEGORY_WEIGHTS[c] for c in cats])[0]
        product = rng.choice(by_cat[cat])
        if product not in chosen:
            chosen.append(product)
    return chosen


TRACKING_URLS = {
    "Colissimo": "https://www.laposte.fr/outils/suivre-vos-envois?code={n}",
    "Chronopost": "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={n}&langue=fr",
    "Mondial Relay": "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition={n}&codePostal={cp}",
    "DPD": "https://trace.dpd.fr/fr/trace/{n}",
}


def _tracking(rng: random.Random, carrier: str, postcode: str) -> tuple[str, str]:
    """A tracking number in the carrier's real format, and its public tracking page."""
    digits = lambda n: "".join(str(rng.randint(0, 9)) for _ in range(n))  # noqa: E731
    number = {
        "Colissimo": lambda: rng.choice(["6A", "6C", "8R"]) + digits(11),
        "Chronopost": lambda: rng.choice(["XW", "XK", "XA"]) + digits(9) + "FR",
        "Mondial Relay": lambda: digits(8),
        "DPD": lambda: "250" + digits(11),
    }[carrier]()
    return number, TRACKING_URLS[carrier].format(n=number, cp=postcode)


Step = tuple[str, str]  # (place, description)


def _de(city: str) -> str:
    """French elision: 'de Lyon', "d'Orléans", 'du Havre'."""
    if city.startswith("Le "):
        return f"du {city[3:]}"
    return f"d'{city}" if city[0] in "AEIOUYÉH" else f"de {city}"


DELAY_NOTICES = [
    "Retard d'acheminement : votre colis arrivera plus tard que prévu",
    "Incident de tri : votre colis a pris du retard, il sera livré dès que possible",
    "Retard lié à un aléa d'exploitation : livraison reportée",
]


# Per carrier: three transit scans, the last mile, the final step ({city}, {de} = "de Lyon",
# "d'Orléans"…, {hub}, {relay} are filled per order).
JOURNEYS = {
    "Colissimo": [
        ("Plateforme Colissimo de Corbas", "Colis pris en charge par Colissimo"),
        ("Plateforme Colissimo de {hub}", "Colis en transit sur nos plateformes"),
        ("Site de distribution Colissimo {de}", "Colis arrivé sur le site de distribution"),
        ("Site de distribution Colissimo {de}", "Colis en cours de livraison"),
        ("{city}", "Colis livré à votre domicile"),
    ],
    "colissimo_point_retrait": [
        ("Bureau de poste {de}", "Colis disponible en bureau de poste"),
        ("Bureau de poste {de}", "Colis retiré par le destinataire"),
    ],
    "Chronopost": [
        ("Agence Chronopost Lyon", "Colis pris en charge par Chronopost"),
        ("Hub Chronopost de Chilly-Mazarin", "Colis en transit"),
        ("Agence Chronopost {city}", "Colis arrivé dans l'agence de livraison"),
        ("Agence Chronopost {city}", "Colis en cours de livraison"),
        ("{city}", "Colis livré contre signature"),
    ],
    "Mondial Relay": [
        ("Agence Mondial Relay Lyon", "Colis pris en charge par Mondial Relay"),
        ("Hub Mondial Relay de Neuville-en-Ferrain", "Colis en cours d'acheminement"),
        ("Agence Mondial Relay {city}", "Colis arrivé dans l'agence de votre région"),
        ("{relay}", "Colis disponible dans votre Point Relais"),
        ("{relay}", "Colis remis au destinataire"),
    ],
    "DPD": [
        ("Agence DPD Lyon-Corbas", "Colis pris en charge par DPD"),
        ("Hub DPD de Mitry-Mory", "Colis en transit"),
        ("Agence DPD {city}", "Colis arrivé dans l'agence de livraison"),
        (
            "Agence DPD {city}",
            "Colis en cours de livraison, créneau Predict d'une heure communiqué par SMS",
        ),
        ("{city}", "Colis livré"),
    ],
}
COLISSIMO_HUBS = ["Wissous", "Chilly-Mazarin", "Bonneuil-sur-Marne"]


def _journey(
    rng: random.Random, carrier: str, method: str, city: str
) -> tuple[list[Step], Step, Step]:
    """(three transit scans, last-mile step, final step) as the carrier reports them."""
    relay = f"Point Relais {rng.choice(RELAY_SHOPS)}, {city}"
    hub = rng.choice(COLISSIMO_HUBS) if carrier == "Colissimo" else ""
    steps = JOURNEYS[carrier][:3] + JOURNEYS.get(method, JOURNEYS[carrier][3:])
    filled = [
        (place.format(city=city, de=_de(city), hub=hub, relay=relay), description)
        for place, description in steps
    ]
    return filled[:3], filled[3], filled[4]


def _spread(start: datetime, end: datetime, steps: list[Step]) -> list[tuple[datetime, Step]]:
    """Place the steps evenly from `start` to `end` (both included)."""
    if len(steps) == 1:
        return [(start, steps[0])]
    gap = (end - start) / (len(steps) - 1)
    return [(start + gap * i, step) for i, step in enumerate(steps)]


def _ship(rng: random.Random, order: db.OrderRow, plan: _Plan, now: datetime) -> None:
    carrier = rules.SHIPPING_BY_CODE[order.shipping_method].carrier
    number, url = _tracking(rng, carrier, order.shipping_address.postcode)
    transit, last_mile, final = _journey(
        rng, carrier, order.shipping_method, order.shipping_address.city
    )
    assert plan.shipped is not None and plan.expected_in is not None
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    shipped = ago(plan.shipped)
    handover = [(WAREHOUSE, "Colis préparé et remis au transporteur")]
    shipment = db.ShipmentRow(
        carrier=carrier,
        tracking_number=number,
        tracking_url=url,
        shipped_at=shipped,
        expected_delivery=(now + timedelta(days=plan.expected_in)).date(),
    )
    late_hours, reached, notice = rng.randint(0, 30), rng.randint(1, 3), rng.choice(DELAY_NOTICES)
    if plan.delivered is not None:
        end = ago(plan.delivered)
        shipment.delivered_at = end
        shipment.expected_delivery = (end - timedelta(hours=late_hours)).date()
        events = _spread(shipped, end, handover + transit + [last_mile, final])
    elif plan.status == OrderStatus.OUT_FOR_DELIVERY:
        events = _spread(shipped, ago(plan.extra["ofd"]), handover + transit + [last_mile])
    elif plan.status == OrderStatus.DELAYED:
        delay = ago(plan.extra["delay"])
        events = _spread(shipped, delay - timedelta(hours=20), handover + transit[:2])
        events.append((delay, (transit[2][0], notice)))
    else:  # shipped: somewhere on the way, the last scan a little before now
        events = _spread(shipped, ago(plan.shipped * 0.2), handover + transit[:reached])
    for at, (place, description) in events:
        shipment.events.append(db.TrackingEventRow(at=at, place=place, description=description))
    order.shipment = shipment


def _money(refs: Callable[[str, int], str], order: db.OrderRow, plan: _Plan, now: datetime) -> None:
    """Cancellations and returns leave the refunds a real shop would have issued."""
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    if plan.status == OrderStatus.CANCELLED:
        cancelled = ago(plan.extra["cancelled"])
        order.cancelled_at = cancelled
        done = plan.extra["cancelled"] > 5
        order.refunds.append(
            db.RefundRow(
                reference=refs("RBT", cancelled.year),
                amount_cents=order.subtotal_cents + order.shipping_cents,
                status="refunded" if done else "processing",
                reason="Annulation de la commande",
                created_at=cancelled,
                expected_by=(cancelled + timedelta(days=rules.CANCEL_REFUND_DAYS)).date(),
                refunded_at=cancelled + timedelta(days=3) if done else None,
            )
        )
        return
    if plan.status not in (OrderStatus.DELIVERED, OrderStatus.RETURNED):
        return
    lines = list(order.lines)
    if plan.status == OrderStatus.DELIVERED:  # some recent deliveries have a partial return
        if plan.k % 6 != 4:
            return
        lines = [
            line
            for line in lines
            if rules.item_return_blocker(line.category, line.opened, False) is None
        ][:1]
    if not lines:
        return
    created = ago(plan.extra["return_created"])
    received_days = plan.extra["return_received"]
    received = (
        ago(received_days) if received_days > 0 and plan.status == OrderStatus.RETURNED else None
    )
    refunded = received is not None and received_days > 7
    ret = db.ReturnRow(
        rma=refs("RMA", created.year),
        status=("refunded" if refunded else "received" if received else "created"),
        reason=RETURN_REASONS[plan.k % len(RETURN_REASONS)],
        created_at=created,
        received_at=received,
    )
    ret.lines.extend(lines)
    order.returns.append(ret)
    amount = sum(line.unit_price_cents * line.quantity for line in lines)
    if len(lines) == len(order.lines):
        amount += order.shipping_cents
    start = (received or created + timedelta(days=rules.RETURN_TRANSIT_DAYS)).date()
    order.refunds.append(
        db.RefundRow(
            reference=refs("RBT", created.year),
            amount_cents=amount,
            status="refunded" if refunded else "processing" if received else "pending",
            reason=f"Retour {ret.rma}",
            created_at=created,
            expected_by=start + timedelta(days=rules.REFUND_DELAY_DAYS),
            refunded_at=received + timedelta(days=4) if refunded and received else None,
        )
    )


def seed_database(session: Session, seed: int, now: datetime | None = None) -> int:
    """Fill an empty database; returns the number of orders created."""
    now = now or rules.shop_now()
    rng = random.Random(seed)
    for sku, name, category, price, stock in CATALOGUE:
        session.add(
            db.ProductRow(
                sku=sku, name=name, category=category, price_cents=round(price * 100), stock=stock
            )
        )
    session.flush()  # order lines reference products by key
    customers = _customers(rng, now)
    session.add_all(customers)
    plans = [_plan(rng, status, k) for status in OrderStatus for k in range(ORDERS_PER_STATUS)]
    plans.sort(key=lambda p: (-p.placed, p.status.value, p.k))  # oldest first: numbers grow
    number = FIRST_NUMBER
    counters: dict[str, int] = {}  # RMA/refund numbers, kept in memory until the one flush

    def refs(prefix: str, year: int) -> str:
        counters[prefix] = counters.get(prefix, db.REFERENCE_START) + 1
        return db.format_reference(prefix, year, counters[prefix])

    methods = list(METHOD_WEIGHTS)
    orders = []
    for plan in plans:
        number += rng.randint(1, 37)
        customer = rng.choice(customers)
        address = customer.addresses[-1] if rng.random() < 0.3 else customer.addresses[0]
        method = rng.choices(methods, weights=list(METHOD_WEIGHTS.values()))[0]
        if plan.status == OrderStatus.OUT_FOR_DELIVERY and method in (
            "mondial_relay",
            "colissimo_point_retrait",
        ):
            method = "colissimo_domicile"  # "out for delivery" means a courier at the door
        placed = now - timedelta(days=plan.placed)
        order = db.OrderRow(
            number=f"CM{number}",
            customer=customer,
            status=plan.status.value,
            placed_at=placed,
            paid_at=placed + timedelta(minutes=2),
            shipping_method=method,
            shipping_cents=0,
            shipping_address=address,
            billing_address=customer.addresses[0],
        )
        for sku, name, category, price, _stock in _pick_products(rng, plan):
            opened_draw = rng.random()
            opened = (
                category in rules.HYGIENE_IF_OPENED
                and plan.status == OrderStatus.DELIVERED
                and (opened_draw < 0.3 or (plan.k % 5 == 1 and category == "cosmétiques"))
            )
            order.lines.append(
                db.OrderLineRow(
                    sku=sku,
                    name=name,
                    category=category,
                    opened=opened,
                    quantity=2 if rng.random() < 0.12 and category != "cartes cadeaux" else 1,
                    unit_price_cents=round(price * 100),
                )
            )
        subtotal = order.subtotal_cents / 100
        order.shipping_cents = round(rules.shipping_cost(method, subtotal) * 100)
        if plan.shipped is not None:
            _ship(rng, order, plan, now)
        _money(refs, order, plan, now)
        orders.append(order)
    _assign_ids(customers, orders)
    session.add_all(orders)
    counters.setdefault("RCL", db.REFERENCE_START)  # claims: none seeded, counter ready
    session.add_all(db.SequenceRow(name=k, value=v) for k, v in counters.items())
    session.flush()
    return len(plans)


def _assign_ids(customers: list[db.CustomerRow], orders: list[db.OrderRow]) -> None:
    """Keys set up front: SQLite then inserts each table in a few batches, not row by row."""
    last: dict[type, int] = {}

    def give(*rows: db.Base) -> None:
        for row in rows:
            last[type(row)] = row.id = last.get(type(row), 0) + 1  # type: ignore[attr-defined]

    for customer in customers:
        give(customer, *customer.addresses)
    for order in orders:
        give(order, *order.lines, *order.returns, *order.refunds)
        if order.shipment:
            give(order.shipment, *order.shipment.events)


def utc(moment: datetime) -> datetime:
    """Naive UTC (the catalogue feed's clock) from a naive Paris time or an aware one."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=rules.SHOP_TZ)
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


@functools.cache
def _catalogue() -> tuple[Product, ...]:
    """Generated once per process (frozen products): tests seed several databases."""
    return tuple(generate())


def seed_catalogue(session: Session, now: datetime | None = None) -> int:
    """The published catalogue: the 3,000 products of `bot.catalogue.generate` (its default
    seed, the one the dev set and the scale bench use), restock dates counted from `now`.
    One bulk INSERT: ≈ 0.8 s the first time in a process (generating the products), then
    ≈ 0.3 s (their JSON and the insert)."""
    now = now or rules.shop_now()
    stamp = utc(now)
    rows = [
        {
            "sku": product.sku,
            "data": to_wire(
                product, now.date(), stamp.replace(tzinfo=timezone.utc)
            ).model_dump_json(),
            "updated_at": stamp,
            "removed": False,
        }
        for product in _catalogue()
    ]
    session.execute(insert(db.CatalogueProductRow), rows)
    return len(rows)


def ensure_catalogue(engine: Engine, now: datetime | None = None) -> bool:
    """Seed the catalogue table when empty (also in a database seeded before it existed)."""
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(db.CatalogueProductRow)):
            return False
    try:
        with Session(engine) as session, session.begin():
            count = seed_catalogue(session, now)
    except IntegrityError:  # another process seeded it at the same moment
        return False
    log.info("demo shop catalogue seeded: %d products", count)
    return True


def ensure_seeded(engine: Engine, seed: int, now: datetime | None = None) -> bool:
    """Create the schema and seed it if empty; True when this call seeded the orders.
    Idempotent. The catalogue is seeded on its own when its table is empty."""
    db.create_schema(engine)
    ensure_catalogue(engine, now)
    with Session(engine) as session:
        if session.scalar(select(func.count()).select_from(db.OrderRow)):
            return False
    try:
        with Session(engine) as session, session.begin():
            count = seed_database(session, seed, now)
    except IntegrityError:  # another process seeded the same database at the same moment
        log.info("demo shop already seeded by another process")
        return False
    log.info("demo shop seeded: %d orders (seed %d)", count, seed)
    return True


def reset_database(engine: Engine, seed: int, now: datetime | None = None) -> None:
    """Drop everything and seed again: dates move to today, the rest stays identical."""
    db.drop_schema(engine)
    ensure_seeded(engine, seed, now)
