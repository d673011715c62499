"""The generated catalogue: reproducible, streamed, realistic, and keeps the demo shop's
products as they are."""

from __future__ import annotations

import re
import types
from collections import Counter

from bot.catalogue.generate import generate, iter_products
from bot.catalogue.models import Product
from bot.catalogue.vocab import CLOTHES_SIZES, SHOE_SIZES
from bot.demo_shop.seed import CATALOGUE as SHOP_CATALOGUE


def test_same_seed_same_catalogue_and_another_seed_another() -> None:
    assert generate(400, seed=7) == generate(400, seed=7)
    assert generate(400, seed=7) != generate(400, seed=8)


def test_a_small_catalogue_is_the_start_of_a_big_one() -> None:
    assert generate(600)[:250] == generate(250)
    assert isinstance(iter_products(10), types.GeneratorType)  # streamed, for 1M products


def test_the_demo_shops_products_are_kept(catalogue: list[Product]) -> None:
    by_sku = {p.sku: p for p in catalogue}
    for sku, name, category, price, stock in SHOP_CATALOGUE:
        product = by_sku[sku]
        assert (product.name, product.category) == (name, category)
        assert {v.price for v in product.variants} == {price}
        assert sum(v.stock for v in product.variants) == stock


def test_invariants(catalogue: list[Product]) -> None:
    assert len(catalogue) == 3_000
    skus = [p.sku for p in catalogue]
    variant_skus = [v.sku for p in catalogue for v in p.variants]
    assert len(set(skus)) == len(skus) and len(set(variant_skus)) == len(variant_skus)
    variants = [v for p in catalogue for v in p.variants]
    assert all(v.price > 0 and v.stock >= 0 for v in variants)
    out = [v for v in variants if not v.in_stock]
    assert 0.05 < len(out) / len(variants) < 0.2
    assert 0.3 < sum(v.restock_in_days is not None for v in out) / len(out) < 0.9
    assert all(v.restock_in_days is None for v in variants if v.in_stock)
    categories = Counter(p.category for p in catalogue)
    assert set(categories) == {c for _, _, c, _, _ in SHOP_CATALOGUE}
    assert categories["mode"] > categories["parfum"] > 100
    assert len({p.brand for p in catalogue}) >= 25
    assert all(p.url.endswith(p.slug) and re.fullmatch(r"[a-z0-9-]+", p.slug) for p in catalogue)
    assert all(1 <= p.delivery_days[0] <= p.delivery_days[1] for p in catalogue)


def test_variants_follow_the_kind_of_product(catalogue: list[Product]) -> None:
    def sizes(word: str) -> set[str]:
        return {v.size or "" for p in catalogue if p.name.startswith(word) for v in p.variants}

    assert sizes("Robe") <= set(CLOTHES_SIZES) and len(sizes("Robe")) == 5
    assert sizes("Baskets") <= set(SHOE_SIZES) and {"36", "46"} <= sizes("Baskets")
    volumes = {
        v.volume_ml for p in catalogue if p.name.startswith("Eau de parfum") for v in p.variants
    }
    assert volumes == {30, 50, 100}
    for product in catalogue:
        by_volume = sorted((v.volume_ml, v.price) for v in product.variants if v.volume_ml)
        assert [price for _, price in by_volume] == sorted(price for _, price in by_volume)
    assert any(v.capacity == "128 Go" for p in catalogue for v in p.variants)
    colours = [v.colour for p in catalogue for v in p.variants if v.colour]
    assert len(set(colours)) >= 15


def test_descriptions_are_varied_sentences(catalogue: list[Product]) -> None:
    descriptions = [p.description for p in catalogue]
    assert len(set(descriptions)) > 0.75 * len(descriptions)
    openings = Counter(d.split(".")[0] for d in descriptions)
    assert openings.most_common(1)[0][1] < 0.1 * len(descriptions)
    assert all(1 <= d.count(".") <= 5 and "{" not in d for d in descriptions)


def test_to_dict_round_trips(catalogue: list[Product]) -> None:
    for product in catalogue[:50]:
        data = product.to_dict()
        assert data["url"].startswith("https://")
        assert Product.from_dict(data) == product
