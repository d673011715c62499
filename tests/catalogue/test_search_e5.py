"""The real encoder (multilingual-e5-small) behind product search: meaning, not spelling.

Loads the model, so marked `integration` (tests/conftest.py marks whole folders; this file
marks itself)."""

from __future__ import annotations

import os

import pytest

from bot.catalogue.models import Product
from bot.catalogue.search import ProductSearch

pytestmark = pytest.mark.integration
os.environ.setdefault("COMPTOIR_KB_ENCODER_THREADS", "2")


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> ProductSearch:
    from bot.kb.encoders import get_encoder

    from .conftest import small_catalogue

    engine = ProductSearch(
        small_catalogue(), get_encoder("e5"), cache_dir=tmp_path_factory.mktemp("vectors")
    )
    engine.method = "dense"
    return engine


@pytest.mark.parametrize(
    ("question", "sku"),
    [
        ("des oreillettes pour écouter de la musique", "HTC-1"),
        ("une couverture en laine", "MAI-1"),
        ("un appareil pour faire bouillir de l'eau", "ELM-1"),
        ("un casque qui coupe les bruits", "HTC-2"),
        ("une tenue de soirée longue", "MOD-4"),
    ],
)
def test_dense_finds_products_by_meaning(dense: ProductSearch, question: str, sku: str) -> None:
    assert dense.search(question, k=2).skus[0] == sku


def test_a_live_product_is_embedded_and_found(dense: ProductSearch, small: list[Product]) -> None:
    from dataclasses import replace

    from bot.catalogue.models import Variant

    radio = replace(
        small[6],
        sku="HTC-9",
        name="Radio réveil FM",
        tags=("radio",),
        description="Un réveil avec radio FM et double alarme.",
        variants=(Variant("HTC-9-01", 39.0, 5),),
    )
    dense.upsert([radio])
    try:
        assert dense.search("un réveil avec la radio", k=1).skus == ["HTC-9"]
    finally:
        dense.remove(["HTC-9"])
