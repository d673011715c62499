"""Storage of the demo shop (SQLAlchemy 2 ORM) and its conversion to the wire models.

The demo shop mimics a real shop's back end: customers and their address book, a catalogue,
orders whose lines snapshot the product, shipments with carrier events, returns, refunds and
claims. Amounts are stored in cents (exact); dates are naive Paris wall-clock time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import overload

from sqlalchemy import (
    Engine,
    ForeignKey,
    Index,
    String,
    Text,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)
from sqlalchemy.orm.interfaces import ORMOption
from sqlalchemy.pool import StaticPool

from bot.clients.shop import models as m
from bot.demo_shop import rules


class Base(DeclarativeBase):
    pass


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    phone: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    addresses: Mapped[list[AddressRow]] = relationship(
        back_populates="customer", order_by="AddressRow.id"
    )


class AddressRow(Base):
    """A customer's address book; orders point at the rows they ship and bill to."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    customer: Mapped[CustomerRow] = relationship(back_populates="addresses")

    def to_model(self) -> m.Address:
        return m.Address(
            name=self.name,
            line1=self.line1,
            line2=self.line2,
            postcode=self.postcode,
            city=self.city,
            country=self.country,
        )


class ProductRow(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40), index=True)
    price_cents: Mapped[int]
    stock: Mapped[int]


class CatalogueProductRow(Base):
    """A product of the published catalogue (issue 18), as the shop's feed serves it.

    `ProductRow` above stays the order lines' and claims' stock; this table is what the shop
    publishes: the wire `Product` as JSON (one read, no joins, the feed streams it as is).
    `updated_at` is naive UTC, unlike the other tables' Paris time: a change feed ordered by
    it must never step back an hour when the clocks go back. A removed product stays as a
    tombstone (`removed`) so that the feed can tell a client that synced earlier to drop it.
    """

    __tablename__ = "catalogue_products"
    __table_args__ = (Index("ix_catalogue_products_feed", "updated_at", "sku"),)

    sku: Mapped[str] = mapped_column(String(60), primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # models.Product, model_dump_json()
    updated_at: Mapped[datetime]  # indexed with sku: the feed's order (ix_..._feed)
    removed: Mapped[bool] = mapped_column(default=False)


class OrderRow(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(8), unique=True, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    placed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    shipping_method: Mapped[str] = mapped_column(String(40))
    shipping_cents: Mapped[int]
    shipping_address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id"))
    billing_address_id: Mapped[int] = mapped_column(ForeignKey("addresses.id"))

    customer: Mapped[CustomerRow] = relationship()
    shipping_address: Mapped[AddressRow] = relationship(foreign_keys=[shipping_address_id])
    billing_address: Mapped[AddressRow] = relationship(foreign_keys=[billing_address_id])
    lines: Mapped[list[OrderLineRow]] = relationship(
        back_populates="order", order_by="OrderLineRow.id"
    )
    shipment: Mapped[ShipmentRow | None] = relationship(back_populates="order")
    returns: Mapped[list[ReturnRow]] = relationship(back_populates="order", order_by="ReturnRow.id")
    refunds: Mapped[list[RefundRow]] = relationship(back_populates="order", order_by="RefundRow.id")
    claims: Mapped[list[ClaimRow]] = relationship(back_populates="order", order_by="ClaimRow.id")

    @property
    def status_enum(self) -> m.OrderStatus:
        return m.OrderStatus(self.status)

    @property
    def subtotal_cents(self) -> int:
        return sum(line.unit_price_cents * line.quantity for line in self.lines)

    @property
    def delivered_at(self) -> datetime | None:
        return self.shipment.delivered_at if self.shipment else None


class OrderLineRow(Base):
    """One article of an order; name, category and price are copied as they were sold."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[int]
    unit_price_cents: Mapped[int]
    # Demo simplification: the shopper told us the cosmetic/perfume was opened (seal broken).
    opened: Mapped[bool] = mapped_column(default=False)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    order: Mapped[OrderRow] = relationship(back_populates="lines")


class ShipmentRow(Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    carrier: Mapped[str] = mapped_column(String(40))
    tracking_number: Mapped[str] = mapped_column(String(40))
    tracking_url: Mapped[str] = mapped_column(String(300))
    shipped_at: Mapped[datetime]
    expected_delivery: Mapped[date]
    delivered_at: Mapped[datetime | None]
    order: Mapped[OrderRow] = relationship(back_populates="shipment")
    events: Mapped[list[TrackingEventRow]] = relationship(
        back_populates="shipment", order_by="TrackingEventRow.at"
    )


class TrackingEventRow(Base):
    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(300))
    shipment: Mapped[ShipmentRow] = relationship(back_populates="events")


class ReturnRow(Base):
    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    rma: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # created | received | refunded
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    received_at: Mapped[datetime | None]
    order: Mapped[OrderRow] = relationship(back_populates="returns")
    lines: Mapped[list[OrderLineRow]] = relationship(order_by="OrderLineRow.id")


class RefundRow(Base):
    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("returns.id"))
    amount_cents: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))  # pending | processing | refunded
    reason: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    expected_by: Mapped[date | None]
    refunded_at: Mapped[datetime | None]
    order: Mapped[OrderRow] = relationship(back_populates="refunds")


class ClaimRow(Base):
    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(2000))
    skus: Mapped[str] = mapped_column(String(500))  # comma-separated
    resolution: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime]
    order: Mapped[OrderRow] = relationship(back_populates="claims")
    photos: Mapped[list[ClaimPhotoRow]] = relationship(order_by="ClaimPhotoRow.id")


class ClaimPhotoRow(Base):
    """A link to the shopper's photo sent with a claim (issue 19). A table of its own, not a
    column of `claims`: `create_schema` adds it to a demo database made by an older version."""

    __tablename__ = "claim_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000))


class SequenceRow(Base):
    """Counters behind RMA, refund and claim references (readable, gap-free numbers)."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int]


REFERENCE_START = 1000


def format_reference(prefix: str, year: int, value: int) -> str:
    return f"{prefix}-{year}-{value:06d}"


def next_reference(session: Session, prefix: str, year: int) -> str:
    """'RMA-2026-001001': next value of the `prefix` counter, incremented atomically in the
    database (UPDATE … RETURNING) so that concurrent requests never share a number."""
    value = session.scalar(
        update(SequenceRow)
        .where(SequenceRow.name == prefix)
        .values(value=SequenceRow.value + 1)
        .returning(SequenceRow.value)
    )
    if value is None:  # first use of this counter
        value = REFERENCE_START + 1
        session.add(SequenceRow(name=prefix, value=value))
        session.flush()
    return format_reference(prefix, year, value)


def make_engine(url: str) -> Engine:
    """Engine for `url`; SQLite gets its folder created, threads allowed, foreign keys on."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
    else:  # one shared in-memory database for every thread
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)


def drop_schema(engine: Engine) -> None:
    Base.metadata.drop_all(engine)


def whole_orders() -> tuple[ORMOption, ...]:
    """Loader options fetching everything an Order shows in a few queries (lists of orders)."""
    return (
        selectinload(OrderRow.customer),
        selectinload(OrderRow.shipping_address),
        selectinload(OrderRow.lines),
        selectinload(OrderRow.refunds),
        selectinload(OrderRow.returns).selectinload(ReturnRow.lines),
        selectinload(OrderRow.shipment).selectinload(ShipmentRow.events),
    )


def find_order(session: Session, number: str) -> OrderRow | None:
    return session.scalar(select(OrderRow).where(OrderRow.number == number))


def euros(cents: int) -> float:
    return round(cents / 100, 2)


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
def aware(value: datetime | None) -> datetime | None:
    """Naive Paris time from the database -> offset-aware, so clients cannot misread it."""
    return value.replace(tzinfo=rules.SHOP_TZ) if value is not None else None


def tracking_to_model(order: OrderRow, now: datetime) -> m.Tracking:
    ship = order.shipment
    status = order.status_enum
    today = now.date()
    shipping, planned = rules.expected_dates(status, order.shipping_method, now)
    delayed = status == m.OrderStatus.DELAYED or bool(
        ship
        and ship.delivered_at is None
        and status != m.OrderStatus.CANCELLED
        and ship.expected_delivery < today
    )
    return m.Tracking(
        carrier=ship.carrier if ship else None,
        tracking_number=ship.tracking_number if ship else None,
        tracking_url=ship.tracking_url if ship else None,
        status=status,
        expected_shipping=shipping,
        expected_delivery=ship.expected_delivery if ship else planned,
        delivered_at=aware(ship.delivered_at) if ship else None,
        delayed=delayed,
        events=[
            m.TrackingEvent(at=aware(e.at), place=e.place, description=e.description)
            for e in (ship.events if ship else [])
        ],
    )


def return_to_model(ret: ReturnRow, label_url: Callable[[str], str]) -> m.ReturnInfo:
    return m.ReturnInfo(
        rma=ret.rma,
        status=ret.status,
        items=[line.sku for line in ret.lines],
        label_url=label_url(ret.rma),
        instructions=return_instructions(ret.rma),
        created_at=aware(ret.created_at),
        refund_delay_days=rules.REFUND_DELAY_DAYS,
    )


def return_instructions(rma: str) -> str:
    return (
        f"Imprimez l'étiquette prépayée {rma} et collez-la sur le colis, à la place de "
        "l'ancienne. Glissez-y les articles non portés, avec leurs étiquettes, de préférence "
        "dans leur emballage d'origine. Déposez le colis dans un bureau de poste ou un point "
        f"de retrait Colissimo dans les {rules.WITHDRAWAL_DAYS} jours. Le remboursement est "
        f"effectué sous {rules.REFUND_DELAY_DAYS} jours après réception du retour, sur le "
        "moyen de paiement utilisé."
    )


def refund_to_model(refund: RefundRow) -> m.Refund:
    return m.Refund(
        reference=refund.reference,
        amount=euros(refund.amount_cents),
        status=refund.status,
        reason=refund.reason,
        created_at=aware(refund.created_at),
        expected_by=refund.expected_by,
        refunded_at=aware(refund.refunded_at),
    )


def order_to_model(order: OrderRow, now: datetime, label_url: Callable[[str], str]) -> m.Order:
    """The wire Order, with every 'can I…?' flag computed by the shop rules."""
    today = now.date()
    status = order.status_enum
    delivered_at = order.delivered_at
    items = []
    for line in order.lines:
        blocker = rules.item_blocker_now(
            line.category, line.opened, line.return_id is not None, status, delivered_at, today
        )
        items.append(
            m.Item(
                sku=line.sku,
                name=line.name,
                category=line.category,
                quantity=line.quantity,
                unit_price=euros(line.unit_price_cents),
                returnable=blocker is None,
                return_blocker=blocker,
            )
        )
    method = rules.SHIPPING_BY_CODE.get(order.shipping_method)
    return m.Order(
        number=order.number,
        status=status,
        placed_at=aware(order.placed_at),
        first_name=order.customer.first_name,
        shipping_method=method.name if method else order.shipping_method,
        shipping_address=order.shipping_address.to_model(),
        items=items,
        total=euros(order.subtotal_cents + order.shipping_cents),
        tracking=tracking_to_model(order, now),
        returns=[return_to_model(r, label_url) for r in order.returns],
        refunds=[refund_to_model(r) for r in order.refunds],
        cancellable=rules.cancel_blocker(status) is None,
        address_changeable=rules.address_blocker(status) is None,
        return_deadline=rules.return_deadline(delivered_at),
    )


def return_label_pdf(ret: ReturnRow) -> bytes:
    """A one-page PDF return label, written by hand: no PDF library for twenty lines."""
    sender = ret.order.shipping_address
    lines = [
        f"ETIQUETTE DE RETOUR COLISSIMO - {ret.rma}",
        f"Commande {ret.order.number}",
        "",
        "Expéditeur :",
        sender.name,
        sender.line1,
        *([sender.line2] if sender.line2 else []),
        f"{sender.postcode} {sender.city}",
        "",
        "Destinataire :",
        "Comptoir - Service retours",
        "ZAC de Chesnes, 12 rue du Ruisseau",
        "38070 Saint-Quentin-Fallavier",
        "",
        "Port payé par la boutique.",
        f"Articles : {', '.join(line.sku for line in ret.lines)}",
    ]
    escape = lambda s: s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")  # noqa: E731
    stream = (
        "BT /F1 13 Tf 50 790 Td 18 TL " + " ".join(f"({escape(s)}) '" for s in lines) + " ET"
    ).encode("cp1252", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
