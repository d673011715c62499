"""The demo shop's catalogue (issue 18): the seeded 3,000 products, the feed (paging,
updated_since, tombstones), one product's details, and the owner's upserts and withdrawals."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.catalogue.generate import generate
from bot.catalogue.wire import to_wire
from bot.clients.shop.models import Product, ProductPage
from bot.demo_shop import db, seed
from bot.demo_shop.catalogue_api import PAGE_SIZE


def _feed(client: TestClient, **params: str) -> list[ProductPage]:
    """Every page of one feed, following next_cursor."""
    pages = [ProductPage.model_validate(_get(client, "/v1/products", **params))]
    while pages[-1].next_cursor:
        body = _get(client, "/v1/products", cursor=pages[-1].next_cursor)
        pages.append(ProductPage.model_validate(body))
    return pages


def _get(client: TestClient, path: str, **params: str) -> dict:
    reply = client.get(path, params=params)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _pin(app: FastAPI, moment: datetime) -> None:
    app.state.clock = lambda: moment


@pytest.fixture(scope="module")
def catalogue() -> list:
    return generate()


def test_seed_publishes_the_generated_catalogue(
    seeded_template: Path, seed_moment: datetime, catalogue: list
) -> None:
    engine = db.make_engine(f"sqlite:///{seeded_template}")
    with Session(engine) as session:
        rows = session.scalars(select(db.CatalogueProductRow)).all()
    engine.dispose()
    assert len(rows) == 3000 and not any(r.removed for r in rows)
    products = {r.sku: Product.model_validate_json(r.data) for r in rows}
    assert set(products) == {p.sku for p in catalogue}
    assert len({p.category for p in products.values()}) >= 8
    variants = [v for p in products.values() for v in p.variants]
    assert sum(len(p.variants) > 1 for p in products.values()) > 1000
    out = [v for v in variants if v.stock == 0]
    assert 0.05 < len(out) / len(variants) < 0.25
    restocks = [v.restock_date for v in out if v.restock_date]
    assert restocks and all(d > seed_moment.date() for d in restocks)
    # restock dates follow the seed day: the generator's offsets, counted from it
    first = catalogue[0]
    assert products[first.sku] == to_wire(first, seed_moment.date(), products[first.sku].updated_at)


def test_restock_dates_are_relative_to_the_seed_day(tmp_path: Path, seed_moment: datetime) -> None:
    """Seeded 200 days earlier: the same catalogue, every restock date 200 days earlier."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.create_schema(engine)
    started = time.perf_counter()
    assert seed.ensure_catalogue(engine, seed_moment - timedelta(days=200))
    took = time.perf_counter() - started
    assert not seed.ensure_catalogue(engine)  # idempotent
    with Session(engine) as session:
        old = {
            r.sku: Product.model_validate_json(r.data)
            for r in session.scalars(select(db.CatalogueProductRow))
        }
    engine.dispose()
    now = {p.sku: to_wire(p, seed_moment.date()) for p in generate()}
    shifted = 0
    for sku, product in old.items():
        for was, is_ in zip(product.variants, now[sku].variants, strict=True):
            assert (was.stock, was.price) == (is_.stock, is_.price)
            if is_.restock_date:
                assert was.restock_date == is_.restock_date - timedelta(days=200)
                shifted += 1
    assert shifted > 100
    print(f"catalogue seeding: {took:.2f} s for {len(old)} products")
    assert took < 20  # one bulk insert; ≈ 1 s on two busy cores


def test_whole_feed_pages_in_a_stable_order(ro_client: TestClient) -> None:
    pages = _feed(ro_client)
    assert len(pages) == 6 and [len(p.products) for p in pages] == [PAGE_SIZE] * 6
    assert pages[-1].next_cursor is None
    assert len({p.as_of for p in pages}) == 1  # one feed, one clock
    products = [p for page in pages for p in page.products]
    keys = [(p.updated_at, p.sku) for p in products]
    assert keys == sorted(keys) and len({p.sku for p in products}) == 3000  # type: ignore[type-var]
    assert not any(page.removed for page in pages)
    assert all(p.updated_at is not None and p.updated_at.tzinfo for p in products)


def test_product_details_and_not_found(ro_client: TestClient, seed_moment: datetime) -> None:
    first = generate(1)[0]
    product = Product.model_validate(_get(ro_client, f"/v1/products/{first.sku}"))
    expected = to_wire(first, seed_moment.date(), product.updated_at)
    assert product == expected and product.url.startswith("https://")
    missing = ro_client.get("/v1/products/MOD-999999")
    assert missing.status_code == 404
    detail = missing.json()["detail"]
    assert detail["code"] == "product_not_found" and "produit" in detail["message"]
    ro_client.headers["X-API-Key"] = "wrong"
    assert ro_client.get(f"/v1/products/{first.sku}").status_code == 401
    assert ro_client.get("/v1/products").status_code == 401


def test_a_cursor_that_is_not_ours_is_refused(ro_client: TestClient) -> None:
    reply = ro_client.get("/v1/products", params={"cursor": "pas-un-curseur"})
    assert reply.status_code == 422 and reply.json()["detail"]["code"] == "invalid_cursor"


def test_upserts_and_withdrawals_reach_the_feed(
    app: FastAPI, client: TestClient, seed_moment: datetime
) -> None:
    _pin(app, seed_moment + timedelta(hours=1))
    first_sync = _feed(client)
    as_of = first_sync[0].as_of
    assert _feed(client, updated_since=as_of.isoformat())[0].products == []  # nothing new

    _pin(app, seed_moment + timedelta(hours=2))
    sku = first_sync[0].products[0].sku
    product = Product.model_validate(_get(client, f"/v1/products/{sku}"))
    cheaper = product.model_copy(
        update={"variants": [v.model_copy(update={"price": 9.9}) for v in product.variants]}
    )
    reply = client.put(f"/v1/products/{sku}", json=cheaper.model_dump(mode="json"))
    assert reply.status_code == 200
    new = cheaper.model_copy(update={"sku": "NEW-1", "name": "Bougie parfumée figuier"})
    assert client.put("/v1/products/NEW-1", json=new.model_dump(mode="json")).status_code == 201
    gone = first_sync[2].products[7].sku
    assert client.delete(f"/v1/products/{gone}").status_code == 204
    assert client.delete(f"/v1/products/{gone}").status_code == 404
    assert client.get(f"/v1/products/{gone}").status_code == 404
    mismatch = client.put("/v1/products/AUTRE", json=new.model_dump(mode="json"))
    assert mismatch.status_code == 422 and mismatch.json()["detail"]["code"] == "sku_mismatch"

    changes = _feed(client, updated_since=as_of.isoformat())
    assert len(changes) == 1
    assert [p.sku for p in changes[0].products] == sorted([sku, "NEW-1"])
    assert {v.price for p in changes[0].products for v in p.variants} == {9.9}
    assert changes[0].removed == [gone]
    assert all(p.updated_at and p.updated_at > as_of for p in changes[0].products)

    whole = [p.sku for page in _feed(client) for p in page.products]
    assert len(whole) == 3000 and gone not in whole and "NEW-1" in whole  # no tombstones
    assert whole[-2:] == sorted([sku, "NEW-1"])  # changed last, so read last

    _pin(app, seed_moment + timedelta(hours=3))
    third_sync = _feed(client, updated_since=changes[0].as_of.isoformat())[0].as_of
    _pin(app, seed_moment + timedelta(hours=4))  # put back on sale: no longer removed
    assert client.put(f"/v1/products/{gone}", json=_product(gone)).status_code == 201
    again = _feed(client, updated_since=third_sync.isoformat())
    assert [p.sku for p in again[0].products] == [gone] and again[0].removed == []


def _product(sku: str) -> dict:
    return Product(
        sku=sku,
        name="Plaid en laine",
        variants=[{"sku": f"{sku}-01", "price": 49.0, "stock": 3}],  # type: ignore[list-item]
    ).model_dump(mode="json")


def test_updated_since_without_offset_is_utc(
    app: FastAPI, client: TestClient, seed_moment: datetime
) -> None:
    _pin(app, seed_moment + timedelta(days=1))
    assert client.put("/v1/products/NEW-2", json=_product("NEW-2")).status_code == 201
    stamp = seed.utc(seed_moment + timedelta(days=1))  # naive UTC
    before = (stamp - timedelta(minutes=1)).isoformat()
    after = (stamp + timedelta(minutes=1)).isoformat()
    assert [p.sku for p in _feed(client, updated_since=before)[0].products] == ["NEW-2"]
    assert _feed(client, updated_since=after)[0].products == []


def test_an_older_database_gets_its_catalogue(tmp_path: Path, seed_moment: datetime) -> None:
    """A demo database seeded before the catalogue existed gets it at the next start."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = db.make_engine(url)
    seed.ensure_seeded(engine, 2024, seed_moment)
    with Session(engine) as session, session.begin():
        session.query(db.CatalogueProductRow).delete()
    assert not seed.ensure_seeded(engine, 2024, seed_moment)  # orders there: not re-seeded
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(db.CatalogueProductRow))
    engine.dispose()
    assert count == 3000
