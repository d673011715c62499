"""Wire format of the shop API, shared by the demo server and every client.

One definition serves both sides so that the demo shop and the client that the actions use
cannot drift apart. Dates are ISO 8601; amounts are euros with two decimals.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, Field


class OrderStatus(str, Enum):
    PAID = "paid"
    PREPARING = "preparing"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    RETURNED = "returned"


# The groups of statuses the bot's rules read, declared once for the actions, the back office
# and the replies. The shop has the last word on what an order allows (`Order.cancellable`,
# `address_changeable`, `Item.returnable`); these say where the parcel is. Every status is in
# exactly one of BEFORE_SHIPPING, IN_TRANSIT, RECEIVED and {CANCELLED}.
BEFORE_SHIPPING = frozenset({OrderStatus.PAID, OrderStatus.PREPARING})  # still in the warehouse
IN_TRANSIT = frozenset(
    {OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELAYED}
)  # with the carrier
RECEIVED = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURNED})  # reached the shopper
DISPATCHED = IN_TRANSIT | RECEIVED  # left the warehouse: there is a parcel to report about
AWAITING_DELIVERY = BEFORE_SHIPPING | IN_TRANSIT  # an expected delivery date still means something
CLOSED = frozenset({OrderStatus.CANCELLED, OrderStatus.RETURNED})  # nothing more will happen


class ClaimKind(str, Enum):
    DAMAGED = "damaged"
    MISSING = "missing"
    WRONG_ITEM = "wrong_item"


class Verification(BaseModel):
    """Proof that the person asking owns the order: the e-mail or the postcode on it."""

    email: str | None = None
    postcode: str | None = None


class Address(BaseModel):
    name: str
    line1: str
    line2: str | None = None
    postcode: str = Field(pattern=r"^\d{5}$")
    city: str
    country: str = "FR"


class Item(BaseModel):
    sku: str
    name: str
    category: str
    quantity: int
    unit_price: float
    returnable: bool
    return_blocker: str | None = None  # why it cannot be returned, in French, when it cannot


class TrackingEvent(BaseModel):
    at: datetime
    place: str
    description: str


class Tracking(BaseModel):
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    status: OrderStatus
    expected_shipping: date | None = None  # orders not shipped yet
    expected_delivery: date | None
    delivered_at: datetime | None
    delayed: bool
    events: list[TrackingEvent]


class Refund(BaseModel):
    reference: str
    amount: float
    status: str  # pending | processing | refunded
    reason: str
    created_at: datetime
    expected_by: date | None
    refunded_at: datetime | None


class ReturnInfo(BaseModel):
    rma: str
    status: str  # requested (the shop approves it first) | created | received | refunded
    items: list[str]
    label_url: str
    instructions: str
    created_at: datetime
    refund_delay_days: int


class Order(BaseModel):
    number: str
    status: OrderStatus
    placed_at: datetime
    first_name: str
    shipping_method: str
    shipping_address: Address
    items: list[Item]
    total: float
    tracking: Tracking
    returns: list[ReturnInfo] = []
    refunds: list[Refund] = []
    cancellable: bool
    address_changeable: bool
    return_deadline: date | None  # end of the withdrawal period, once delivered


class ShippingMethod(BaseModel):
    code: str
    name: str
    carrier: str
    min_days: int
    max_days: int
    price: float
    free_above: float | None


class ReturnPolicy(BaseModel):
    withdrawal_days: int
    refund_delay_days: int
    rules: list[str]
    non_returnable_categories: list[str]


class ReturnRequest(Verification):
    skus: list[str]
    reason: str


class Claim(BaseModel):
    reference: str
    kind: ClaimKind
    resolution: str  # reship | refund | investigation
    message: str
    photos: list[str] = []  # the links to the shopper's photos the shop keeps with the claim


class ClaimRequest(Verification):
    kind: ClaimKind
    description: str = ""
    skus: list[str] = []
    # Links to the shopper's photos (signed back-office URLs that expire), at most 5.
    photos: list[Annotated[str, Field(max_length=1000, pattern=r"^https?://")]] = Field(
        default=[], max_length=5
    )


class AddressChange(Verification):
    address: Address


class ProductVariant(BaseModel):
    """One buyable form of a product: a size, a colour, a volume or a capacity."""

    sku: str
    price: float
    stock: int
    size: str | None = None  # "M", "42", "240 x 260"
    colour: str | None = None  # "bleu marine"
    volume_ml: int | None = None
    capacity: str | None = None  # "1,7 L", "128 Go"
    restock_date: date | None = None  # out of stock, a delivery from the supplier is expected


class Product(BaseModel):
    """A catalogue product as the shop publishes it (issue 18). `url` is the shopper-facing
    product page; `delivery_min_days`/`max` hold when a variant is in stock."""

    sku: str
    name: str
    brand: str = ""
    category: str = ""
    description: str = ""
    url: str = ""
    audience: str = "mixte"  # femme | homme | enfant | mixte
    tags: list[str] = []
    delivery_min_days: int = 2
    delivery_max_days: int = 4
    variants: list[ProductVariant]
    updated_at: datetime | None = None


class ProductPage(BaseModel):
    """One page of the catalogue feed: the products changed since a moment, the SKUs removed
    since then, and the cursor of the next page (None on the last one). `as_of` is the shop's
    clock when the feed began: the next sync asks for changes since it."""

    products: list[Product]
    removed: list[str] = []
    next_cursor: str | None = None
    as_of: datetime


class ApiError(BaseModel):
    """Body of every 4xx answer: a stable code for programs, a French message for people."""

    code: str
    message: str
