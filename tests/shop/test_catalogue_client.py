"""HttpShopClient's catalogue calls against the real demo shop under uvicorn: the whole feed
through its cursors, a change seen by the next sync, one product, and a product not found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
import requests

from bot.clients.shop.contract import ProductNotFound, ShopClient, ShopUnavailable
from bot.clients.shop.http import HttpShopClient
from bot.clients.shop.models import Product

from .conftest import API_KEY, ScriptedServer


def _client(url: str) -> HttpShopClient:
    # A 500-product page is ≈ 550 kB: a little more read time than a conversation's call.
    return HttpShopClient(url, API_KEY, read_timeout=5.0, deadline=10.0)


def _sync(shop: ShopClient, since: datetime | None = None) -> tuple[list[Product], datetime]:
    """Every product of one feed, through its cursors, and the feed's as_of."""
    page = shop.products(updated_since=since)
    products = list(page.products)
    while page.next_cursor:
        page = shop.products(cursor=page.next_cursor)
        products += page.products
    return products, page.as_of


def test_the_client_reads_the_feed_and_sees_the_next_change(live_server: str) -> None:
    shop: ShopClient = _client(live_server)
    feed, as_of = _sync(shop)
    skus = [p.sku for p in feed]
    assert len(skus) == len(set(skus)) == 3000
    assert as_of.tzinfo is not None

    product = shop.product(skus[10])
    assert product.sku == skus[10] and product.variants and product.name
    renamed = product.model_copy(update={"name": product.name + " (édition limitée)"})
    reply = requests.put(
        f"{live_server}/v1/products/{product.sku}",
        json=renamed.model_dump(mode="json"),
        headers={"X-API-Key": API_KEY},
        timeout=5,
    )
    assert reply.status_code == 200
    # as_of carries "+00:00": it must reach the shop encoded, not as a space
    changes, _ = _sync(shop, as_of)
    assert [p.name for p in changes if p.sku == product.sku] == [renamed.name]
    assert shop.product(product.sku).name == renamed.name


def test_a_missing_product_is_a_typed_error(live_server: str) -> None:
    with pytest.raises(ProductNotFound) as raised:
        _client(live_server).product("INCONNU/../1")
    assert "produit" in str(raised.value)


def test_a_feed_that_is_not_a_product_page_is_the_shop_unavailable(
    scripted_server: Callable[..., ScriptedServer],
) -> None:
    server = scripted_server(lambda hit: (200, b'{"products": "oops"}', 0))
    with pytest.raises(ShopUnavailable):
        _client(server.url).products()
