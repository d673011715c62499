"""FAISS vector index: exact inner product for small corpora, HNSW past a measured size.

Vectors are L2-normalised, so inner product is cosine. Each vector carries the id of its
phrasing (IndexIDMap), which the manifest maps back to an entry. Vectors of a previous version
are read back from its index (`reconstruct_all`) so a publish only embeds new phrasings.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np

log = logging.getLogger(__name__)

# FAISS's OpenMP pool is process-wide: one thread per query, every core to build, until the
# knowledge base sets its own from its settings (`use_threads`, KBSettings.faiss_*threads).
_THREADS = {"query": 1, "build": os.cpu_count() or 1}
faiss.omp_set_num_threads(_THREADS["query"])


def use_threads(query: int, build: int) -> None:
    _THREADS.update(query=max(1, query), build=max(1, build))
    faiss.omp_set_num_threads(_THREADS["query"])


IndexKind = Literal["flat", "hnsw"]


def choose_kind(n_vectors: int, hnsw_min_vectors: int) -> IndexKind:
    """Exact search is fast and perfect below the threshold measured by `bench`."""
    return "hnsw" if n_vectors >= hnsw_min_vectors else "flat"


def build_index(
    vectors: np.ndarray,
    ids: np.ndarray,
    kind: IndexKind = "flat",
    hnsw_m: int = 32,
    ef_construction: int = 80,
    ef_search: int = 64,
) -> faiss.Index:
    """An IndexIDMap over IndexFlatIP (exact) or IndexHNSWFlat (inner product)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dimension = vectors.shape[1]
    inner: faiss.Index
    if kind == "hnsw":
        hnsw = faiss.IndexHNSWFlat(dimension, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = ef_construction
        hnsw.hnsw.efSearch = ef_search
        inner = hnsw
    else:
        inner = faiss.IndexFlatIP(dimension)
    index = faiss.IndexIDMap(inner)
    if len(vectors):
        faiss.omp_set_num_threads(_THREADS["build"])  # building a graph does use every core
        try:
            index.add_with_ids(vectors, np.ascontiguousarray(ids, dtype=np.int64))
        finally:
            faiss.omp_set_num_threads(_THREADS["query"])
    return index


def set_ef_search(index: faiss.Index, ef_search: int) -> None:
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        inner.hnsw.efSearch = ef_search


def index_kind(index: faiss.Index) -> IndexKind:
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    return "hnsw" if isinstance(inner, faiss.IndexHNSW) else "flat"


def save_index(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load_index(path: Path, ef_search: int = 64) -> faiss.Index:
    index = faiss.read_index(str(path))
    set_ef_search(index, ef_search)
    return index


def search(index: faiss.Index, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-k (scores, ids) per query; missing slots have id -1."""
    k = max(1, min(k, index.ntotal))
    if index.ntotal == 0:
        n = len(queries)
        return np.zeros((n, 0), dtype=np.float32), np.zeros((n, 0), dtype=np.int64)
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


def reconstruct_all(index: Any) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of every stored vector, in insertion order."""
    if index.ntotal == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, index.d), dtype=np.float32)
    ids = faiss.vector_to_array(index.id_map).astype(np.int64)
    inner = faiss.downcast_index(index.index)
    return ids, inner.reconstruct_n(0, index.ntotal)
