"""PrestaShopClient's catalogue (issue 18) against the PrestaShop stand-in: combinations as
variants with their options, stock and price with tax, paging, a change and a deactivation
since a sync, one product by reference."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from bot.clients.shop import prestashop_catalogue
from bot.clients.shop.contract import ProductNotFound, ShopClient
from bot.clients.shop.models import Product
from bot.clients.shop.prestashop import PrestaShopClient
from bot.settings import Settings
from bot.tools.standins import prestashop_catalogue as shelf
from bot.tools.standins import serving
from bot.tools.standins.prestashop import KEY, create_app


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, PrestaShopClient]]:
    monkeypatch.setattr(prestashop_catalogue, "PAGE", 2)  # 4 active products: two pages
    app = create_app()
    with serving(app) as url:
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        yield app, PrestaShopClient(url, KEY, settings=settings, deadline=5.0)


def _sync(
    client: ShopClient, since: datetime | None = None
) -> tuple[list[Product], list[str], int, datetime]:
    page = client.products(updated_since=since)
    products, removed, pages = list(page.products), list(page.removed), 1
    while page.next_cursor:
        page = client.products(cursor=page.next_cursor)
        products += page.products
        removed += page.removed
        pages += 1
    return products, removed, pages, page.as_of


def test_first_sync_maps_products_and_combinations(
    shop: tuple[Any, PrestaShopClient],
) -> None:
    _, client = shop
    products, removed, pages, _ = _sync(client)
    assert pages == 3 and removed == []  # 2 + 2 + an empty last page
    by_sku = {p.sku: p for p in products}
    assert set(by_sku) == {"THE-FONTE-08", "TSHIRT-BIO", "EDT-VERVEINE", "COF-CADEAU"}

    teapot = by_sku["THE-FONTE-08"]
    assert (teapot.name, teapot.brand, teapot.category) == (
        "Théière en fonte 0,8 L",
        "Fonderie de Lorraine",
        "Thés et accessoires",
    )
    assert teapot.description == "Fonte émaillée, filtre en inox."
    assert teapot.url.endswith("/index.php?controller=product&id_product=1")
    assert "/api" not in teapot.url
    assert [(v.sku, v.price, v.stock) for v in teapot.variants] == [("THE-FONTE-08", 39.0, 6)]
    assert teapot.updated_at is not None and teapot.updated_at.tzinfo is not None

    tshirt = by_sku["TSHIRT-BIO"]
    assert [(v.sku, v.size, v.colour, v.price, v.stock) for v in tshirt.variants] == [
        ("TSHIRT-BIO-S", "S", "blanc", 24.9, 5),
        ("TSHIRT-BIO-M", "M", "blanc", 24.9, 0),
        ("TSHIRT-BIO-L", "L", "blanc", 24.9, 3),
    ]
    perfume = by_sku["EDT-VERVEINE"]
    assert [(v.volume_ml, v.price, v.stock) for v in perfume.variants] == [
        (50, 29.9, 10),
        (100, 44.9, 0),
    ]
    assert by_sku["COF-CADEAU"].variants[0].stock == 0


def test_a_sync_since_sees_changes_and_deactivations(
    shop: tuple[Any, PrestaShopClient],
) -> None:
    app, client = shop
    *_, as_of = _sync(client)
    assert _sync(client, as_of)[:2] == ([], [])
    tables = app.state.shop
    shelf.save(tables, 4, price=shelf._ht(24.9))  # the gift box is cheaper
    shelf.save(tables, 1, active="0")  # the teapot is withdrawn
    products, removed, _, _ = _sync(client, as_of)
    assert [(p.sku, p.variants[0].price) for p in products] == [("COF-CADEAU", 24.9)]
    assert removed == ["THE-FONTE-08"]
    queries = [q for method, path, q in app.state.calls if path == "/api/products"]
    assert "date=1" in queries[-1] and "filter%5Bdate_upd%5D" in queries[-1]


def test_one_product_by_reference(shop: tuple[Any, PrestaShopClient]) -> None:
    _, client = shop
    assert client.product("EDT-VERVEINE").variants[1].volume_ml == 100
    assert client.product("ps-2").sku == "TSHIRT-BIO"
    for missing in ("MUG-ANCIEN", "INCONNU", "[1|2]"):  # inactive, unknown, filter syntax
        with pytest.raises(ProductNotFound):
            client.product(missing)
