"""Between the shop contract's products (bot/clients/shop/models.py, pydantic, absolute dates)
and the catalogue's (bot/catalogue/models.py, slotted dataclasses, restock as a day offset).

The demo shop publishes its generated catalogue with `to_wire`; the action server indexes what
any shop publishes with `from_wire`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clients.shop import models as wire

from .models import Product, Variant


def to_wire(product: Product, today: date, updated_at: datetime | None = None) -> wire.Product:
    return wire.Product(
        sku=product.sku,
        name=product.name,
        brand=product.brand,
        category=product.category,
        description=product.description,
        url=product.url,
        audience=product.audience,
        tags=list(product.tags),
        delivery_min_days=product.delivery_days[0],
        delivery_max_days=product.delivery_days[1],
        variants=[
            wire.ProductVariant(
                sku=v.sku,
                price=v.price,
                stock=v.stock,
                size=v.size,
                colour=v.colour,
                volume_ml=v.volume_ml,
                capacity=v.capacity,
                restock_date=(
                    today + timedelta(days=v.restock_in_days)
                    if v.restock_in_days is not None
                    else None
                ),
            )
            for v in product.variants
        ],
        updated_at=updated_at,
    )


def from_wire(product: wire.Product, today: date) -> Product:
    """A restock date in the past is dropped: the shop has not updated it, so it says nothing."""

    def days(when: date | None) -> int | None:
        if when is None or when < today:
            return None
        return (when - today).days

    return Product(
        sku=product.sku,
        name=product.name,
        brand=product.brand,
        category=product.category,
        description=product.description,
        variants=tuple(
            Variant(
                sku=v.sku,
                price=v.price,
                stock=v.stock,
                size=v.size,
                colour=v.colour,
                volume_ml=v.volume_ml,
                capacity=v.capacity,
                restock_in_days=days(v.restock_date),
            )
            for v in product.variants
        ),
        delivery_days=(product.delivery_min_days, product.delivery_max_days),
        audience=product.audience,
        tags=tuple(product.tags),
        link=product.url,
    )
