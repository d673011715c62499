"""The two product indexes, both updatable in place: dense (FAISS) and lexical (TF-IDF).

Live updates, not rebuilds: a product change is "remove its id, add it under a new id".
- Dense: exact `IndexIDMap2(IndexFlatIP)` below 50k products, `IndexIVFFlat` above (the
  choice measured by `python -m bot.catalogue bench`); both delete by id.
- Lexical: the TF-IDF vocabulary is fitted once at start; new products are transformed with
  it and appended, removed rows are masked. Words that only new products use are unknown to
  the lexical leg until a restart; the dense leg still finds them.
Product vectors are cached on disk by (encoder, checksum, text) so a restart or another
process embeds only new texts: e5-small embeds ≈ 6–40 product texts a second on 2 cores.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any, Sequence

import faiss
import numpy as np

from bot.core.normalise import normalise
from bot.kb.encoders import Encoder

log = logging.getLogger(__name__)

# Past this many products, exact search leaves the 10 ms budget (≈ 25–30 ms at 100k on one
# core) and an IVF index takes over: on 100k generated products it keeps recall@10 0.97 at
# p95 ≈ 4 ms, where HNSW graphs reach 0.92 only at 10 ms (reports/catalogue-bench.md).
IVF_MIN = 50_000
IVF_NPROBE = 128
# At a million products nprobe 128 takes 13 ms p95; 64 keeps recall@10 0.955 at 6 ms.
IVF_NPROBE_LARGE, LARGE = 64, 500_000


class DenseIndex:
    """Cosine search over L2-normalised vectors with int64 ids and live add/remove.

    Exact `IndexFlatIP` below `ivf_min` products, `IndexIVFFlat` (nlist = 4 √n, trained on
    the first vectors added, nprobe 128, 64 past `LARGE`) above; both delete by id, so a
    change is a remove plus an add, never a rebuild. New products land in the lists trained
    at start: after a large share of the catalogue has changed, a restart re-trains them."""

    def __init__(self, dimension: int, expected: int = 0, ivf_min: int = IVF_MIN) -> None:
        self.kind = "ivf" if expected >= ivf_min else "flat"
        self.dimension = dimension
        self.nlist = max(1, int(4 * np.sqrt(max(expected, 1))))
        self._quantizer: Any = None
        self.index: Any = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        if self.kind == "ivf":
            self._quantizer = faiss.IndexFlatIP(dimension)  # kept alive beside its IVF
            ivf = faiss.IndexIVFFlat(
                self._quantizer, dimension, self.nlist, faiss.METRIC_INNER_PRODUCT
            )
            ivf.nprobe = IVF_NPROBE_LARGE if expected > LARGE else IVF_NPROBE
            self.index = ivf

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        if not len(ids):
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if not self.index.is_trained:
            self.index.train(vectors)
        self.index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: Sequence[int]) -> None:
        self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.index.ntotal == 0:
            return []
        k = min(int(self.index.ntotal), k)
        scores, ids = self.index.search(np.ascontiguousarray(vector.reshape(1, -1)), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]


class LexicalIndex:
    """TF-IDF (char 2–5 n-grams, robust to typos and missing accents, + words) cosine."""

    def __init__(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        self._features = FeatureUnion(
            [
                (
                    "chars",
                    TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                ),
                ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 1), sublinear_tf=True)),
            ]
        )
        self._sparse = sparse
        self._matrix = self._features.fit_transform([normalise(t) for t in texts]).tocsr()
        self._ids = np.asarray(ids, dtype=np.int64)
        self._alive = np.ones(len(ids), dtype=bool)
        self._row: dict[int, int] = {int(i): n for n, i in enumerate(ids)}

    def add(self, ids: Sequence[int], texts: Sequence[str]) -> None:
        if not ids:
            return
        rows = self._features.transform([normalise(t) for t in texts]).tocsr()
        start = self._matrix.shape[0]
        self._matrix = self._sparse.vstack([self._matrix, rows]).tocsr()
        self._ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        self._alive = np.concatenate([self._alive, np.ones(len(ids), dtype=bool)])
        for n, i in enumerate(ids):
            self._row[int(i)] = start + n

    def remove(self, ids: Sequence[int]) -> None:
        for i in ids:
            row = self._row.pop(int(i), None)
            if row is not None:
                self._alive[row] = False

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine) of every live product, unsorted."""
        q = self._features.transform([normalise(query)])
        sims = np.asarray((self._matrix @ q.T).todense()).ravel() / 2.0  # two unit blocks
        return self._ids[self._alive], sims[self._alive]


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


CHUNK = 256  # product texts embedded, then saved, at a time


class VectorCache:
    """Product vectors on disk (npz: keys + float32 matrix), keyed by encoder and text."""

    def __init__(self, folder: Path | None, encoder: Encoder, prompt: str) -> None:
        self.encoder = encoder
        self.prompt = prompt
        self.path = (
            folder / f"vectors-{encoder.name}-{encoder.checksum[:12]}-{prompt}.npz"
            if folder
            else None
        )
        self._vectors: dict[str, np.ndarray] = {}
        if self.path and self.path.is_file():
            with np.load(self.path) as data:
                self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        # In chunks, each saved: a first catalogue takes minutes on a small machine, so the
        # log shows progress and an interrupted build resumes where it stopped.
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            vectors = self.encoder.encode(
                [t for _, t in chunk], prompt_name=self.prompt, batch_size=batch_size
            )
            self._vectors.update({k: v for (k, _), v in zip(chunk, vectors, strict=True)})
            self.save()
            log.info(
                "embedded %d/%d product texts with %s",
                min(start + CHUNK, len(missing)),
                len(missing),
                self.encoder.name,
            )
        if not keys:
            return np.zeros((0, self.encoder.dimension), dtype=np.float32)
        return np.vstack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self._vectors)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")  # one per process
        np.savez(tmp, keys=np.asarray(keys), vectors=np.vstack([self._vectors[k] for k in keys]))
        tmp.replace(self.path)
