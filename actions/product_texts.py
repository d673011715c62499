"""Products in French: a short list, one product's details, a follow-up about its variants.

The words are the catalogue's (bot/core/replies.py); here is which lines an answer has. Pure
functions over bot.catalogue's products, so every answer is unit-tested without a shop.
"""

from __future__ import annotations

from datetime import date

from bot.catalogue.models import Product, Variant
from bot.catalogue.query import Query
from bot.catalogue.search import ProductHit, variant_misses
from bot.core import replies
from bot.dialogue.texts import euros, french_date, one_line

FEW_LEFT = 3  # "plus que 2 en stock" below this
# The constraints a follow-up may change, in the order they are named.
VARIANT_KEYS = ("size", "colour", "volume_ml", "capacity", "max_price")
PRICE_WORDS = ("prix", "combien", "cher", "coute", "coûte", "tarif")


def days(product: Product) -> str:
    low, high = product.delivery_days
    if low == high:
        return (replies.ONE_DAY if low == 1 else replies.SOME_DAYS).format(days=low)
    return replies.DAYS_RANGE.format(min_days=low, max_days=high)


def availability(product: Product, variant: Variant, today: date | None = None) -> str:
    if variant.in_stock:
        if variant.stock < FEW_LEFT:
            return replies.PRODUCT_FEW_LEFT.format(count=variant.stock, days=days(product))
        return replies.PRODUCT_IN_STOCK.format(days=days(product))
    back = variant.restock_date(today)
    if back is not None:
        return replies.PRODUCT_BACK_ON.format(date=french_date(back))
    return replies.PRODUCT_OUT_OF_STOCK


def line(product: Product, variant: Variant, today: date | None = None) -> str:
    return replies.PRODUCT_LINE.format(
        name=one_line(product.name, 120),
        brand=one_line(product.brand, 60),
        variant=variant.label(),
        price=euros(variant.price),
        availability=availability(product, variant, today),
        url=product.url,
    )


def hit_list(hits: list[ProductHit], today: date | None = None) -> str:
    """The intro (found, or the nearest with what they miss) and one line per product."""
    missing = {m for m in hits[0].relaxed} if hits else set()
    intro = (
        replies.PRODUCTS_NEAREST.format(
            missing=", ".join(replies.PRODUCT_MISSES[m] for m in sorted(missing))
        )
        if missing
        else replies.PRODUCTS_FOUND
    )
    return "\n".join([intro, *(line(h.product, h.variant, today) for h in hits)])


def details(product: Product, today: date | None = None) -> str:
    variants = "\n".join(
        replies.PRODUCT_VARIANT_LINE.format(
            variant=v.label(), price=euros(v.price), availability=availability(product, v, today)
        )
        for v in product.variants
    )
    return replies.PRODUCT_DETAILS.format(
        name=one_line(product.name, 120),
        brand=one_line(product.brand, 60),
        description=one_line(product.description, 400),
        variants=variants,
        url=product.url,
    )


def asks_price(query: Query) -> bool:
    text = query.text.lower()
    return any(word in text for word in PRICE_WORDS)


def _asked(query: Query) -> str:
    parts = []
    if query.size is not None:
        parts.append(replies.PRODUCT_ASKED_SIZE.format(value=query.size))
    if query.colour is not None:
        parts.append(replies.PRODUCT_ASKED_IN.format(value=query.colour))
    if query.volume_ml is not None:
        parts.append(replies.PRODUCT_ASKED_VOLUME.format(value=query.volume_ml))
    if query.capacity is not None:
        parts.append(replies.PRODUCT_ASKED_IN.format(value=query.capacity))
    if query.max_price is not None:
        parts.append(replies.PRODUCT_ASKED_BELOW.format(value=euros(query.max_price)))
    return " ".join(parts)


def _options(product: Product, query: Query) -> str:
    """The variants there are, in stock first, named by what was asked about."""
    keys = [k for k in VARIANT_KEYS if k != "max_price" and getattr(query, k) is not None]
    labels: list[str] = []
    for variant in sorted(product.variants, key=lambda v: not v.in_stock):
        label = variant.label()
        if keys:
            named = {
                "size": variant.size,
                "colour": variant.colour,
                "volume_ml": f"{variant.volume_ml} ml" if variant.volume_ml else None,
                "capacity": variant.capacity,
            }
            label = ", ".join(str(named[k]) for k in keys if named.get(k)) or label
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


def follow_up(
    product: Product, query: Query, previous: Variant | None, today: date | None = None
) -> tuple[str, Variant | None]:
    """The answer about the product just shown, with the new constraints ("et en 42 ?",
    "c'est le même prix en 100 ?"), and the variant it is about (None: none fits)."""
    name = f"« {one_line(product.name, 120)} »"
    if asks_price(query) and not any(getattr(query, k) is not None for k in VARIANT_KEYS):
        variant = previous or min(product.variants, key=lambda v: v.price)  # "c'est combien ?"
        return (
            replies.PRODUCT_PRICE.format(
                name=name,
                price=euros(variant.price),
                variant=variant.label(),
                availability=availability(product, variant, today),
            ),
            variant,
        )
    fitting = [v for v in product.variants if not variant_misses(v, query)]
    if not fitting:
        return (
            replies.PRODUCT_VARIANT_MISSING.format(
                name=name, asked=_asked(query), options=_options(product, query)
            ),
            None,
        )
    variant = sorted(fitting, key=lambda v: (not v.in_stock, v.price))[0]
    if asks_price(query) and previous is not None and previous.sku != variant.sku:
        if abs(previous.price - variant.price) < 0.005:
            text = replies.PRODUCT_SAME_PRICE.format(
                variant=variant.label(), price=euros(variant.price)
            )
        else:
            text = replies.PRODUCT_OTHER_PRICE.format(
                variant=variant.label(),
                price=euros(variant.price),
                previous=euros(previous.price),
                previous_variant=previous.label(),
            )
        return f"{text} {availability(product, variant, today).capitalize()}.", variant
    return (
        (replies.PRODUCT_VARIANT_FITS if variant.in_stock else replies.PRODUCT_VARIANT_GONE).format(
            name=name,
            variant=variant.label(),
            price=euros(variant.price),
            availability=availability(product, variant, today),
        ),
        variant,
    )
