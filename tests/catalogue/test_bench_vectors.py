"""The million-product bench's embedding: dedup, resumable chunks, a smaller cache reused."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pytest

from bot.catalogue.bench_vectors import (
    assemble,
    chunk_path,
    covered_products,
    covering_folder,
    dedup,
    embed_chunks,
    missing_chunks,
    reusable,
    spent,
)
from bot.catalogue.generate import iter_products

from .conftest import TrigramEncoder

TEXTS = ["robe", "jupe", "robe", "pull", "jupe", "robe", "gilet", "pull", "écharpe"]


class Counting:
    """The trigram encoder, counting the texts it is asked for."""

    def __init__(self) -> None:
        self.encoder = TrigramEncoder()
        self.asked: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.asked += list(texts)
        return self.encoder.encode(texts)


def test_identical_texts_share_one_row_in_first_appearance_order() -> None:
    found = dedup(TEXTS)
    assert found.texts == ["robe", "jupe", "pull", "gilet", "écharpe"]
    assert found.rows.tolist() == [0, 1, 0, 2, 1, 0, 3, 2, 4]
    assert found.first.tolist() == [0, 1, 3, 6, 8]
    assert [found.texts[r] for r in found.rows] == TEXTS


def test_the_generated_catalogue_repeats_texts() -> None:
    found = dedup(p.text() for p in iter_products(5_000))
    assert found.products == 5_000
    assert len(found.texts) < found.products  # near-twins: less to embed
    assert len(set(found.texts)) == len(found.texts)


def test_each_distinct_text_is_embedded_once_and_mapped_back(tmp_path: Path) -> None:
    found = dedup(TEXTS)
    embed = Counting()
    assert embed_chunks(found, embed, tmp_path, chunk=2)
    assert sorted(embed.asked) == sorted(set(TEXTS))
    vectors = assemble(found, tmp_path, chunk=2)
    assert vectors.shape == (len(TEXTS), TrigramEncoder.dimension)
    np.testing.assert_allclose(vectors, TrigramEncoder().encode(TEXTS), atol=1e-6)
    assert spent(tmp_path)["texts"] == 5


def test_a_stopped_run_resumes_without_embedding_again(tmp_path: Path) -> None:
    found = dedup(TEXTS)
    first = Counting()
    # a deadline already past: nothing is done, and it says so
    assert not embed_chunks(found, first, tmp_path, chunk=2, deadline=0.0)
    assert first.asked == [] and missing_chunks(tmp_path, 5, chunk=2) == [0, 1, 2]
    # one chunk saved, then stopped (as a run stopped by its deadline leaves it)
    np.save(chunk_path(tmp_path, 0), first(found.texts[:2]))
    assert missing_chunks(tmp_path, 5, chunk=2) == [1, 2]
    assert covered_products(found, tmp_path, chunk=2) == 3  # robe, jupe, robe; then "pull"
    with pytest.raises(FileNotFoundError):
        assemble(found, tmp_path, chunk=2)
    again = Counting()
    assert embed_chunks(found, again, tmp_path, chunk=2)
    assert again.asked == ["pull", "gilet", "écharpe"]
    assert covered_products(found, tmp_path, chunk=2) == len(TEXTS)
    assert not list(tmp_path.glob("*.part.npy"))  # chunks are renamed into place


def test_a_smaller_sizes_cache_fills_the_chunks_it_covers(tmp_path: Path) -> None:
    found = dedup(TEXTS)
    smaller = TrigramEncoder().encode(TEXTS[:4]) * 1.0  # vectors of the first 4 products
    smaller[0] += 5.0  # marked: a copied vector is recognisable
    embed = Counting()
    assert embed_chunks(found, embed, tmp_path, prefix=smaller, chunk=2)
    # chunk 0 (robe, jupe) came from the cache; pull first appears at product 3 < 4, so
    # chunk 1 (pull, gilet) needs the encoder for gilet: whole chunks only
    assert embed.asked == ["pull", "gilet", "écharpe"]
    vectors = assemble(found, tmp_path, chunk=2)
    np.testing.assert_allclose(vectors[0], smaller[0])
    np.testing.assert_allclose(vectors[5], smaller[0])  # "robe" again, same row
    assert spent(tmp_path)["texts"] == 3
    assert reusable(found, 4, chunk=2) == 2 and reusable(found, 0, chunk=2) == 0
    assert reusable(found, len(TEXTS), chunk=2) == 5


def test_a_larger_sizes_chunks_serve_a_smaller_size(tmp_path: Path) -> None:
    """A 1M embedding stopped halfway still gives every vector of the first N products."""
    big = dedup(TEXTS)
    folder = tmp_path / "bench-test-trigrams-000000000000-9.chunks"
    assert embed_chunks(big, Counting(), folder, chunk=2)
    small = dedup(TEXTS[:4])  # robe, jupe, robe, pull: 3 distinct, the last chunk partial
    found = covering_folder(tmp_path, "test-trigrams", "0" * 64, small, chunk=2)
    assert found == folder
    vectors = assemble(small, folder, chunk=2)
    np.testing.assert_allclose(vectors, TrigramEncoder().encode(TEXTS[:4]), atol=1e-6)
    # a folder that lacks a chunk the smaller size needs does not serve it
    chunk_path(folder, 1).unlink()
    assert covering_folder(tmp_path, "test-trigrams", "0" * 64, small, chunk=2) is None
