"""ShopifyClient's catalogue (issue 18) against the Shopify stand-in, whose schema validates
every query: the first sync (several pages), variants and stock, a change, an archived and a
deleted product since a sync, one product by id or by a variant's SKU."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from bot.clients.shop.contract import ProductNotFound, ShopClient
from bot.clients.shop.models import Product
from bot.clients.shop.product_feed import UNCOUNTED_STOCK
from bot.clients.shop.shopify import ShopifyClient, catalogue
from bot.settings import Settings
from bot.tools.standins import serving
from bot.tools.standins.shopify import API_VERSION, TOKEN, create_app


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, ShopifyClient]]:
    monkeypatch.setattr(catalogue, "PAGE", 2)  # 5 products: three pages
    app = create_app()
    with serving(app) as url:
        settings = Settings(shop="shopify", shopify_url=url, shopify_token=TOKEN)
        yield app, ShopifyClient(url, TOKEN, API_VERSION, settings=settings, deadline=5.0)


def _sync(
    client: ShopClient, since: datetime | None = None
) -> tuple[list[Product], list[str], int]:
    page = client.products(updated_since=since)
    products, removed, pages = list(page.products), list(page.removed), 1
    while page.next_cursor:
        page = client.products(cursor=page.next_cursor)
        products += page.products
        removed += page.removed
        pages += 1
    return products, removed, pages


def test_first_sync_maps_active_products(shop: tuple[Any, ShopifyClient]) -> None:
    _, client = shop
    products, removed, pages = _sync(client)
    assert pages == 3 and removed == []
    by_name = {p.name: p for p in products}
    assert set(by_name) == {
        "Robe portefeuille en lin",
        "Crème mains karité",
        "Carafe en verre soufflé",
        "Vase en céramique émaillée",
        "Panier en osier tressé",
    }  # the draft cushion is not for sale
    dress = by_name["Robe portefeuille en lin"]
    assert dress.sku == "8100001" and dress.brand == "Maison Lune" and dress.category == "Robes"
    assert dress.description == "Lin lavé, coupe portefeuille, longueur midi."
    assert dress.url == "https://maison-lune.exemple.fr/products/robe-portefeuille-lin"
    assert dress.updated_at is not None and dress.updated_at.tzinfo is not None
    assert [(v.sku, v.size, v.colour, v.stock) for v in dress.variants] == [
        ("ROBE-LIN-36", "36", "terracotta", 4),
        ("ROBE-LIN-38", "38", "terracotta", 0),
        ("ROBE-LIN-40", "40", "terracotta", 2),
    ]
    cream = by_name["Crème mains karité"]
    assert [(v.volume_ml, v.price) for v in cream.variants] == [(30, 8.5), (75, 16.9)]
    carafe = by_name["Carafe en verre soufflé"].variants
    assert [(v.size, v.colour, v.volume_ml, v.capacity) for v in carafe] == [(None,) * 4]
    assert by_name["Vase en céramique émaillée"].brand == ""
    assert by_name["Vase en céramique émaillée"].variants[0].stock == 0
    assert by_name["Panier en osier tressé"].variants[0].stock == UNCOUNTED_STOCK


def test_a_sync_since_sees_changes_archives_and_deletions(
    shop: tuple[Any, ShopifyClient],
) -> None:
    app, client = shop
    first = client.products()
    as_of = first.as_of
    time.sleep(1.1)  # Shopify's dates are to the second
    assert _sync(client, as_of)[:2] == ([], [])  # the deletion of 30 days ago is not news

    shelf = app.state.shop.catalogue
    shelf.update(8100002, variants=[{"sku": "CREME-KARITE-75", "price": "14.90"}])
    shelf.update(8100004, status="ARCHIVED")
    shelf.delete(8100003)
    products, removed, _ = _sync(client, as_of)
    assert [(p.sku, [v.price for v in p.variants]) for p in products] == [("8100002", [8.5, 14.9])]
    assert sorted(removed) == ["8100003", "8100004"]


def test_one_product_by_id_or_variant_sku(shop: tuple[Any, ShopifyClient]) -> None:
    _, client = shop
    assert client.product("8100001").name == "Robe portefeuille en lin"
    by_sku = client.product("CREME-KARITE-30")
    assert by_sku.sku == "8100002" and len(by_sku.variants) == 2
    for missing in ("8100006", "8199999", "INCONNU"):  # a draft, no such id, no such SKU
        with pytest.raises(ProductNotFound):
            client.product(missing)
