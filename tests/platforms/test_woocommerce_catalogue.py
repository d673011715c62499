"""WooCommerceClient's catalogue (issue 18) against the WooCommerce stand-in: the first sync,
variations as variants, stock, a change and a product binned since a sync, one product."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from bot.clients.shop.contract import InvalidRequest, ProductNotFound, ShopClient
from bot.clients.shop.models import Product
from bot.clients.shop.product_feed import UNCOUNTED_STOCK
from bot.clients.shop.woocommerce import WooCommerceClient
from bot.tools.standins import serving
from bot.tools.standins import woocommerce as standin

API = standin.API


@pytest.fixture
def shop() -> Iterator[tuple[str, WooCommerceClient]]:
    with serving(standin.create_app()) as url:
        yield url, WooCommerceClient(url, standin.KEY, standin.SECRET, deadline=5.0)


def _sync(
    client: ShopClient, since: datetime | None = None
) -> tuple[list[Product], list[str], datetime]:
    page = client.products(updated_since=since)
    products, removed = list(page.products), list(page.removed)
    while page.next_cursor:
        page = client.products(cursor=page.next_cursor)
        products += page.products
        removed += page.removed
    return products, removed, page.as_of


def _admin(url: str, method: str, path: str, **body: Any) -> dict[str, Any]:
    reply = requests.request(
        method, url + API + path, json=body or None, auth=(standin.KEY, standin.SECRET), timeout=5
    )
    reply.raise_for_status()
    found: dict[str, Any] = reply.json()
    return found


def test_first_sync_maps_products_and_variations(shop: tuple[str, WooCommerceClient]) -> None:
    _, client = shop
    products, removed, as_of = _sync(client)
    by_sku = {p.sku: p for p in products}
    assert set(by_sku) == {
        "PULL-MERINOS",
        "EDP-FIGUE",
        "THEIERE-FONTE-1L",
        "BOUGIE-FIGUE",
        "PLAID-LIN",
    }
    assert removed == [] and as_of.tzinfo is not None

    jumper = by_sku["PULL-MERINOS"]
    assert jumper.brand == "Filature Dorée" and jumper.category == "Pulls"
    assert jumper.description == "Un pull chaud et léger, tricoté en France."
    assert jumper.url == "https://boutique.exemple.fr/produit/pull-merinos/"
    assert jumper.tags == ["laine"] and jumper.updated_at is not None
    assert {(v.size, v.colour) for v in jumper.variants} == {
        (s, c) for s in "SML" for c in ("bleu nuit", "écru")
    }
    assert sum(v.stock == 0 for v in jumper.variants) == 1

    perfume = by_sku["EDP-FIGUE"]
    assert perfume.name == "Eau de parfum Figue & Cèdre" and perfume.brand == ""
    assert [(v.volume_ml, v.price, v.stock) for v in perfume.variants] == [
        (50, 59.0, 12),
        (100, 89.0, 0),
    ]
    teapot, candle, plaid = by_sku["THEIERE-FONTE-1L"], by_sku["BOUGIE-FIGUE"], by_sku["PLAID-LIN"]
    assert [(v.sku, v.price, v.stock) for v in teapot.variants] == [("THEIERE-FONTE-1L", 45.0, 7)]
    assert candle.variants[0].stock == UNCOUNTED_STOCK  # stock not managed, "instock"
    assert plaid.variants[0].stock == 0 and plaid.variants[0].restock_date is None


def test_a_sync_since_sees_changes_and_removals(shop: tuple[str, WooCommerceClient]) -> None:
    url, client = shop
    _, _, as_of = _sync(client)
    assert _sync(client, as_of)[:2] == ([], [])

    _admin(url, "PUT", "/products/203", regular_price="39.00", stock_quantity=0)
    _admin(url, "DELETE", "/products/204")  # to the bin
    _admin(url, "PUT", "/products/205", status="draft")  # unpublished
    products, removed, _ = _sync(client, as_of)
    assert [(p.sku, p.variants[0].price, p.variants[0].stock) for p in products] == [
        ("THEIERE-FONTE-1L", 39.0, 0)
    ]
    assert sorted(removed) == ["BOUGIE-FIGUE", "PLAID-LIN"]
    calls = requests.get(f"{url}/__standin__/calls", timeout=5).json()
    listed = [c["query"] for c in calls if c["path"] == API + "/products"]
    assert listed[-1]["status"] == "trash" and listed[-1]["dates_are_gmt"] == "true"


def test_one_product_by_sku(shop: tuple[str, WooCommerceClient]) -> None:
    _, client = shop
    perfume = client.product("EDP-FIGUE")
    assert perfume.sku == "EDP-FIGUE" and len(perfume.variants) == 2
    with pytest.raises(ProductNotFound):
        client.product("CARNET-CUIR")  # a draft is not for sale
    with pytest.raises(ProductNotFound):
        client.product("wc-999")
    with pytest.raises(InvalidRequest):
        client.products(cursor="n'importe quoi")
