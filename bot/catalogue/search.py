"""Hybrid product search: dense + lexical candidates, fused by rank, then the constraints.

1. The sentence is parsed (query.py): constraints out, product words left.
2. Each leg ranks products on the product words: dense (e5-small, "query: " against
   "passage: " product texts, FAISS) and lexical (TF-IDF char n-grams + words).
3. Reciprocal rank fusion (w / (20 + rank), summed; dense weight 1.5, lexical 1) merges the
   legs: their scores live on different scales, ranks do not. The knowledge base calibrates a
   confidence instead because it must decide answer / choose / none; here the shopper is shown
   a short list anyway, and `found` says when it should be "je ne trouve pas".
4. Constraints filter: a product stays when one of its variants has the size / colour /
   volume / capacity and fits the price ceiling, the brand matches, the audience suits the
   recipient. When nothing passes, the best products are returned with `relaxed` naming the
   constraints they miss ("pas en 42, mais…"). Out-of-stock products stay (the shopper needs
   the restock date) unless `in_stock_only`; the variant shown is an in-stock one if any.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal, Sequence

import numpy as np

from bot.core.normalise import clean_for_encoder, fold
from bot.kb.encoders import Encoder

from .index import DenseIndex, LexicalIndex, VectorCache
from .models import Product, Variant
from .query import Lemmatiser, Query, parse, product_types

log = logging.getLogger(__name__)

Method = Literal["hybrid", "dense", "lexical"]
RRF_K = 20  # picked on the dev set: 60 (the usual) gives hit@3 0.947, 20 with dense x1.5 0.961
CANDIDATES = 300
# "Je ne trouve pas ce produit": the top product counts as found when the shopper named a kind
# of product the catalogue sells and it is one, when its TF-IDF cosine reaches this, or when
# the shopper asks for advice ("une idée de cadeau pour ma mère ?"). On the dev set
# (python -m bot.catalogue eval --lexical-only) this keeps 96 % of answerable questions and
# turns away 88 % (22 of 25) of questions about products the shop does not sell.
FOUND_LEXICAL = 0.4
# French numeric clothes sizes to the letters the catalogue's clothes use.
_LETTER_FOR = {"34": "XS", "36": "XS", "38": "S", "40": "M", "42": "L", "44": "XL", "46": "XL"}
_RECIPIENT_AUDIENCES = {
    "femme": {"femme", "mixte"},
    "homme": {"homme", "mixte"},
    "enfant": {"enfant", "mixte"},
}
_GIFT_WORDS = {
    "femme": "cadeau femme parfum bougie plaid",
    "homme": "cadeau homme parfum",
    "enfant": "cadeau enfant",
}


def lexical_text(product: Product) -> str:
    """Name twice (it says what the product is), then the rest."""
    tags = " ".join(product.tags)
    return f"{product.name} {product.name} {product.brand} {product.category} {tags} " + (
        product.description
    )


def _same_size(variant: str, asked: str) -> bool:
    v, a = fold(variant).replace(" ", ""), fold(asked).replace(" ", "")
    return v == a or (not v.isdigit() and _LETTER_FOR.get(a, "").lower() == v)


def variant_misses(variant: Variant, query: Query) -> set[str]:
    """The constraints of the query this variant does not meet."""
    misses = set()
    if query.size and not (variant.size and _same_size(variant.size, query.size)):
        misses.add("size")
    if query.colour and not (variant.colour and query.colour in fold(variant.colour)):
        misses.add("colour")
    if query.volume_ml and variant.volume_ml != query.volume_ml:
        misses.add("volume_ml")
    if query.capacity and not (
        variant.capacity
        and fold(variant.capacity).replace(" ", "") == query.capacity.replace(" ", "")
    ):
        misses.add("capacity")
    if query.max_price is not None and variant.price > query.max_price:
        misses.add("max_price")
    return misses


@dataclass(frozen=True)
class ProductHit:
    product: Product
    variant: Variant  # the variant that best fits the question (in stock if possible)
    score: float  # fused rank score
    relaxed: tuple[str, ...] = ()  # constraints it does not meet (empty: meets them all)
    dense: float = 0.0
    lexical: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    query: Query
    hits: tuple[ProductHit, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    found: bool = False  # False: say "je ne trouve pas ce produit" rather than show the hits

    @property
    def skus(self) -> list[str]:
        return [h.product.sku for h in self.hits]


def _best_variant(product: Product, query: Query) -> tuple[Variant, set[str]]:
    ranked = sorted(
        product.variants,
        key=lambda v: (len(variant_misses(v, query)), not v.in_stock, v.price),
    )
    best = ranked[0]
    return best, variant_misses(best, query)


class ProductSearch:
    """A live, searchable catalogue. Thread-safe: searches and updates take one lock."""

    def __init__(
        self,
        products: Iterable[Product],
        encoder: Encoder | None = None,
        *,
        lemmatiser: Lemmatiser | None = None,
        method: Method = "hybrid",
        cache_dir: Path | None = None,
    ) -> None:
        self.products: dict[int, Product] = {}
        self._id_of: dict[str, int] = {}
        self._next = 0
        self.encoder = encoder
        self.lemmatiser = lemmatiser
        self.method: Method = method if encoder is not None else "lexical"
        self._lock = threading.RLock()
        self.rrf_k = RRF_K
        # The encoder reads the whole sentence (hit@3 0.971 against 0.966 on the product words),
        # so the vector the intent classifier already made of the message can be passed in.
        self.dense_sentence = True
        self.weights = (1.5, 1.0)  # (dense, lexical) in the rank fusion, as RRF_K
        items = list(products)
        ids = self._assign(items)
        self.lexical = LexicalIndex(ids, [lexical_text(p) for p in items])
        self.dense: DenseIndex | None = None
        self.cache: VectorCache | None = None
        if encoder is not None:
            self.cache = VectorCache(cache_dir, encoder, "passage")
            self.dense = DenseIndex(encoder.dimension, expected=len(items))
            self.dense.add(ids, self.cache.embed([p.text() for p in items]))

    def _assign(self, items: Sequence[Product]) -> list[int]:
        ids = []
        for product in items:
            ids.append(self._next)
            self.products[self._next] = product
            self._id_of[product.sku] = self._next
            self._next += 1
        return ids

    def __len__(self) -> int:
        return len(self._id_of)

    def get(self, sku: str) -> Product | None:
        index = self._id_of.get(sku)
        return self.products.get(index) if index is not None else None

    # ----- live updates ---------------------------------------------------------------------
    def upsert(self, products: Sequence[Product]) -> None:
        """Add or replace products by SKU; visible to the next search."""
        with self._lock:
            self.remove([p.sku for p in products if p.sku in self._id_of])
            ids = self._assign(products)
            self.lexical.add(ids, [lexical_text(p) for p in products])
            if self.dense is not None and self.cache is not None:
                self.dense.add(ids, self.cache.embed([p.text() for p in products]))

    def remove(self, skus: Sequence[str]) -> None:
        with self._lock:
            ids = [self._id_of.pop(s) for s in skus if s in self._id_of]
            for i in ids:
                self.products.pop(i, None)
            self.lexical.remove(ids)
            if self.dense is not None:
                self.dense.remove(ids)

    # ----- search ---------------------------------------------------------------------------
    def _retrieval_text(self, query: Query) -> str:
        if query.words:
            return query.words
        if query.gift or query.recipient:
            return _GIFT_WORDS.get(query.recipient or "", "idée cadeau")
        return fold(query.text)

    def ranked(
        self, query: Query, candidates: int = CANDIDATES, vector: np.ndarray | None = None
    ) -> list[tuple[int, float, float, float]]:
        """(id, fused score, dense cosine, lexical cosine), best first."""
        text = self._retrieval_text(query)
        fused: dict[int, float] = {}
        dense_of: dict[int, float] = {}
        lexical_of: dict[int, float] = {}
        if self.method != "dense":
            ids, sims = self.lexical.scores(text)
            top = np.argsort(-sims, kind="stable")[:candidates]
            for rank, row in enumerate(top):
                i = int(ids[row])
                lexical_of[i] = float(sims[row])
                fused[i] = fused.get(i, 0.0) + self.weights[1] / (self.rrf_k + rank)
        if self.method != "lexical" and self.dense is not None and self.encoder is not None:
            if vector is None or not self.dense_sentence:
                dense_text = clean_for_encoder(query.text) if self.dense_sentence else text
                vector = self.encoder.encode([dense_text], prompt_name="query")[0]
            for rank, (i, score) in enumerate(self.dense.search(vector, candidates)):
                dense_of[i] = score
                fused[i] = fused.get(i, 0.0) + self.weights[0] / (self.rrf_k + rank)
        order = sorted(fused.items(), key=lambda kv: -kv[1])
        return [(i, s, dense_of.get(i, 0.0), lexical_of.get(i, 0.0)) for i, s in order]

    def search(
        self,
        text: str,
        k: int = 5,
        *,
        in_stock_only: bool = False,
        query: Query | None = None,
        vector: np.ndarray | None = None,
    ) -> SearchResult:
        """The k products that best answer the sentence (see the module docstring).
        `vector`: the encoder's "query: " embedding of `clean_for_encoder(text)` when the caller
        already has it (bot.core.query_vector), to skip embedding it again."""
        started = time.perf_counter()
        query = query or parse(text, self.lemmatiser)
        parsed = time.perf_counter()
        with self._lock:
            ranked = self.ranked(query, vector=vector)
            kinds = product_types(query.words)
            fitting: list[ProductHit] = []
            relaxed: list[ProductHit] = []
            for i, score, dense, lexical in ranked:
                product = self.products.get(i)
                if product is None:
                    continue
                variant, misses = _best_variant(product, query)
                if query.brand and product.brand != query.brand:
                    misses.add("brand")
                if kinds and not kinds & set(product.tags):
                    misses.add("type")  # asked for bottines, this is a chemise
                audiences = _RECIPIENT_AUDIENCES.get(query.recipient or "")
                if audiences and product.audience not in audiences:
                    misses.add("recipient")
                if in_stock_only and not variant.in_stock:
                    continue
                hit = ProductHit(product, variant, score, tuple(sorted(misses)), dense, lexical)
                (relaxed if misses else fitting).append(hit)
                if len(fitting) >= k:
                    break
        # A product of another kind than the one named is no alternative ("bottines" asked,
        # a bra offered): the near misses shown are of the right kind, closest first.
        right_kind = [h for h in relaxed if "type" not in h.relaxed]
        pool = right_kind if (fitting or right_kind) else relaxed
        spare = sorted(pool, key=lambda h: (len(h.relaxed), -h.score))
        hits = (fitting + spare)[:k]
        # "une idée de cadeau pour ma mère ?": advice, whatever the catalogue's words
        advice = not kinds and (query.gift or (query.recipient is not None and not query.words))
        found = bool(hits) and (
            (bool(kinds) and "type" not in hits[0].relaxed)
            or hits[0].lexical >= FOUND_LEXICAL
            or advice
        )
        done = time.perf_counter()
        timings = {"parse": (parsed - started) * 1e3, "total": (done - started) * 1e3}
        return SearchResult(query, tuple(hits), timings, found)
