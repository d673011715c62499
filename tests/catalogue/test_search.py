"""Hybrid product search on a small hand-made catalogue: constraints, typos, live updates."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bot.catalogue.index import DenseIndex
from bot.catalogue.models import Product, Variant
from bot.catalogue.search import ProductSearch

from .conftest import TrigramEncoder


@pytest.fixture(params=["hybrid", "lexical"])
def search(
    request: pytest.FixtureRequest, small: list[Product], encoder: TrigramEncoder
) -> ProductSearch:
    engine = ProductSearch(small, encoder)
    engine.method = request.param
    return engine


def test_a_size_keeps_only_products_that_have_it(search: ProductSearch) -> None:
    result = search.search("des bottines en 44", k=3)
    assert result.skus[0] == "MOD-2"
    assert result.hits[0].variant.size == "44" and not result.hits[0].relaxed


def test_a_numeric_clothes_size_matches_the_letter(search: ProductSearch) -> None:
    hit = search.search("robe en 40 rouge", k=1).hits[0]
    assert (hit.variant.size, hit.variant.colour) == ("M", "rouge")


def test_a_volume_picks_the_variant_and_its_stock(search: ProductSearch) -> None:
    hit = search.search("vous l'avez encore en 50 ml l'eau de parfum iris ?", k=1).hits[0]
    assert hit.product.sku == "PAR-1"
    assert (hit.variant.volume_ml, hit.variant.in_stock, hit.variant.restock_in_days) == (
        50,
        False,
        12,
    )
    assert search.search("eau de parfum iris en 100", k=1).hits[0].variant.volume_ml == 100


def test_a_price_ceiling(search: ProductSearch) -> None:
    result = search.search("une robe à moins de 100 euros", k=3)
    assert result.skus[0] == "MOD-3"
    assert [h.relaxed for h in result.hits if h.product.sku == "MOD-4"] in ([], [("max_price",)])


def test_a_misspelt_brand(search: ProductSearch) -> None:
    result = search.search("casque ondine audoi", k=2)
    assert result.query.brand == "Ondine Audio"
    assert result.skus[0] == "HTC-2"


def test_colour_and_size_together_choose_the_in_stock_variant(search: ProductSearch) -> None:
    hit = search.search("bottines chelsea camel en 42", k=1).hits[0]
    assert (hit.product.sku, hit.variant.colour, hit.variant.size) == ("MOD-1", "camel", "42")
    out = search.search("bottines chelsea noires en 42", k=1).hits[0]
    assert out.product.sku == "MOD-1" and not out.variant.in_stock  # shown, with its restock


def test_out_of_stock_is_excluded_only_when_asked(search: ProductSearch) -> None:
    assert "HTC-2" in search.search("casque à réduction de bruit", k=3).skus
    assert "HTC-2" not in search.search("casque à réduction de bruit", k=3, in_stock_only=True).skus


def test_when_nothing_fits_the_best_products_say_what_they_miss(search: ProductSearch) -> None:
    hits = search.search("robe en soie en XL", k=2).hits
    assert hits[0].product.sku == "MOD-4" and hits[0].relaxed == ("size",)


def test_a_recipient_filters_the_audience(search: ProductSearch) -> None:
    assert search.search("un parfum pour mon mari", k=1).skus == ["PAR-2"]
    assert search.search("un parfum pour ma femme", k=1).skus == ["PAR-1"]


def test_a_capacity(search: ProductSearch) -> None:
    hit = search.search("bouilloire 1,7 L", k=1).hits[0]
    assert (hit.product.sku, hit.variant.capacity, hit.variant.price) == ("ELM-1", "1,7 L", 49.0)


def test_live_add_change_and_remove(search: ProductSearch) -> None:
    assert "MAI-9" not in search.search("lampe de chevet en rotin", k=3).skus
    lamp = Product(
        "MAI-9",
        "Lampe de chevet en rotin",
        "Maison Ocre",
        "maison",
        "Une lampe tressée à la main.",
        (Variant("MAI-9-01", 59.0, 2),),
        tags=("lampe",),
    )
    search.upsert([lamp])
    assert search.search("lampe de chevet en rotin", k=1).skus == ["MAI-9"]
    search.upsert([replace(lamp, variants=(Variant("MAI-9-01", 45.0, 2),))])
    assert search.search("lampe de chevet en rotin", k=1).hits[0].variant.price == 45.0
    assert len(search) == 11
    search.remove(["MAI-9"])
    assert "MAI-9" not in search.search("lampe de chevet en rotin", k=3).skus
    assert search.get("MAI-9") is None and len(search) == 10


def test_a_big_catalogue_gets_an_ivf_index_that_deletes() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(400, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = DenseIndex(16, expected=400, ivf_min=100)
    assert index.kind == "ivf"
    index.add(list(range(1000, 1400)), vectors)
    assert index.search(vectors[7], 1)[0][0] == 1007
    index.remove([1007])
    assert 1007 not in [i for i, _ in index.search(vectors[7], 5)] and index.size == 399
    index.add([5000], vectors[7:8])  # the changed product, under its new id
    assert index.search(vectors[7], 1)[0][0] == 5000


def test_a_million_products_probe_fewer_lists_to_stay_within_10_ms() -> None:
    """Measured by make catalogue-bench: nprobe 128 is 13 ms p95 at 1M, 64 is 6 ms."""
    assert DenseIndex(16, expected=100_000).index.nprobe == 128
    million = DenseIndex(16, expected=1_000_000)
    assert million.index.nprobe == 64 and million.nlist == 4000


def test_search_without_an_encoder_is_lexical(small: list[Product]) -> None:
    engine = ProductSearch(small)
    assert engine.method == "lexical" and engine.dense is None
    assert engine.search("ecouteurs bluetooth", k=1).skus == ["HTC-1"]


def test_vectors_are_cached_on_disk(small: list[Product], tmp_path, encoder) -> None:  # type: ignore[no-untyped-def]
    class Counting(TrigramEncoder):
        calls = 0

        def encode(self, texts, *args, **kwargs):  # type: ignore[no-untyped-def]
            Counting.calls += len(texts) if not isinstance(texts, str) else 1
            return super().encode(texts, *args, **kwargs)

    ProductSearch(small, Counting(), cache_dir=tmp_path)
    assert Counting.calls == len(small)
    ProductSearch(small, Counting(), cache_dir=tmp_path)
    assert Counting.calls == len(small)  # nothing embedded twice


def test_a_product_the_shop_does_not_sell_is_not_found(search: ProductSearch) -> None:
    assert search.search("des bottines en 40", k=1).found
    assert search.search("un plaid", k=1).found
    assert not search.search("une guitare", k=1).found
    assert not search.search("des croquettes pour chat", k=1).found


def test_a_query_vector_made_elsewhere_is_used(small: list[Product], encoder) -> None:  # type: ignore[no-untyped-def]
    from bot.core.normalise import clean_for_encoder

    engine = ProductSearch(small, encoder)
    engine.method = "dense"
    text = "des écouteurs sans fil"
    own = engine.search(text, k=3).skus
    given = encoder.encode([clean_for_encoder(text)], prompt_name="query")[0]
    assert engine.search(text, k=3, vector=given).skus == own
    other = "quelque chose pour le salon"  # names no kind of product: only the vector decides
    elsewhere = encoder.encode(["Plaid en laine tricotée"], prompt_name="query")[0]
    assert engine.search(other, k=1, vector=elsewhere).skus == ["MAI-1"]


def test_near_misses_are_of_the_kind_asked(search: ProductSearch) -> None:
    hits = search.search("des bottines en 46", k=5).hits
    assert {h.product.sku for h in hits} == {"MOD-1", "MOD-2"}
    assert all(h.relaxed == ("size",) for h in hits)
