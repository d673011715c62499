"""The shop's catalogue as the action server searches it: kept in step with the shop's feed.

The shop publishes (ShopClient.products: what changed since a moment, paged; .product: one
product, fresh); Comptoir indexes and searches by meaning itself, because no platform's own
search understands "des bottines noires en 39 pour moins de 80 €".

- The first search loads the whole feed and searches by spelling at once; the vectors (minutes
  for a few thousand products on a small machine, then cached on disk by text) are built in the
  background and the hybrid index replaces the spelling-only one when ready.
- Before a search, at most every `refresh_seconds`, the changes since the last sync are asked
  for and applied in place (upsert, remove): a product the shop adds or sells out is seen
  without retraining or restarting anything, as FAQ entries are.
- A product about to be shown is read again from the shop (`details`), so the price and the
  stock the shopper reads are the shop's, not the index's of up to `refresh_seconds` ago.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from bot.clients.shop import models as wire
from bot.clients.shop.contract import ProductNotFound, ShopError
from bot.core import query_vector
from bot.kb.encoders import Encoder

from .models import Product
from .search import ProductSearch, SearchResult
from .wire import from_wire

log = logging.getLogger(__name__)


@contextmanager
def _build_lock(folder: Path | None) -> Iterator[None]:
    """One vector build at a time per cache folder, across processes: the action server runs
    several workers, and the second one then finds every vector on disk instead of spending
    minutes embedding them again."""
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class CatalogueFeed(Protocol):
    """The part of the shop contract (bot/clients/shop/contract.py) the catalogue reads."""

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> wire.ProductPage: ...

    def product(self, sku: str) -> wire.Product: ...


class CatalogueUnavailable(Exception):
    """The shop's catalogue could not be read (its API is down, or the platform has none)."""


class LiveCatalogue:
    """Thread-safe; `search`, `get` and `details` may block on the shop's API (call them off
    the event loop)."""

    def __init__(
        self,
        feed: CatalogueFeed,
        encoder: Callable[[], Encoder] | None = None,
        *,
        cache_dir: Path | None = None,
        refresh_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.feed = feed
        self.encoder = encoder
        self.cache_dir = cache_dir
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.today = today
        self._search: ProductSearch | None = None
        self._as_of: datetime | None = None
        self._checked = float("-inf")
        self._lock = threading.RLock()
        self.builder: threading.Thread | None = None  # the background vector build

    # ----- reading ----------------------------------------------------------------------------
    @property
    def hybrid(self) -> bool:
        """True once the vectors are built (before: spelling only)."""
        return self._search is not None and self._search.dense is not None

    def search(
        self, text: str, k: int = 3, packed: Any = None, in_stock_only: bool = False
    ) -> SearchResult:
        """`packed`: the message's vector as the intent classifier made it (bot.core.
        query_vector), used when it is the one this index's encoder would make."""
        index = self.refresh()
        vector = None
        if index.encoder is not None and packed is not None:
            unpacked = query_vector.unpack(
                packed,
                query_vector.encoder_text(text),
                index.encoder.name,
                index.encoder.dimension,
            )
            vector = unpacked[0] if unpacked is not None else None
        return index.search(text, k=k, vector=vector, in_stock_only=in_stock_only)

    def get(self, sku: str) -> Product | None:
        """The product as indexed (no call to the shop unless a sync is due)."""
        return self.refresh().get(sku)

    def details(self, sku: str) -> Product | None:
        """The product as the shop has it now; the indexed copy if the shop cannot say, None
        if the shop no longer sells it (it leaves the index too)."""
        try:
            fresh = from_wire(self.feed.product(sku), self.today())
        except ProductNotFound:
            with self._lock:
                if self._search is not None:
                    self._search.remove([sku])
            return None
        except ShopError:
            log.warning("catalogue: product %s could not be read again from the shop", sku)
            return self.get(sku)
        with self._lock:
            if self._search is not None and self._search.get(sku) != fresh:
                self._search.upsert([fresh])
        return fresh

    # ----- keeping in step ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> ProductSearch:
        """The index, synced first if the last sync is older than `refresh_seconds`. A sync
        that fails keeps the index as it is (the shopper still gets an answer); with no index
        yet, CatalogueUnavailable."""
        with self._lock:
            due = force or self.clock() - self._checked >= self.refresh_seconds
            if self._search is not None and not due:
                return self._search
            self._checked = self.clock()
            try:
                if self._search is None:
                    self._load()
                else:
                    self._apply_changes(self._search)
            except ShopError as error:
                if self._search is None:
                    raise CatalogueUnavailable(str(error)) from error
                log.warning("catalogue: sync failed (%s), keeping the index as it is", error.code)
            assert self._search is not None
            return self._search

    def _pages(
        self, since: datetime | None
    ) -> tuple[list[wire.Product], list[str], datetime | None]:
        products: list[wire.Product] = []
        removed: list[str] = []
        cursor: str | None = None
        as_of: datetime | None = None
        while True:
            page = self.feed.products(updated_since=since, cursor=cursor)
            as_of = as_of or page.as_of  # the first page's clock: changes after it come next
            products += page.products
            removed += page.removed
            cursor = page.next_cursor
            if not cursor:
                return products, removed, as_of

    def _load(self) -> None:
        started = time.perf_counter()
        listed, _, as_of = self._pages(None)
        today = self.today()
        products = [from_wire(p, today) for p in listed]
        self._search = ProductSearch(products)  # spelling only, at once
        self._as_of = as_of
        log.info(
            "catalogue: %d products loaded from the shop in %.1f s",
            len(products),
            time.perf_counter() - started,
        )
        if self.encoder is not None and products:
            self.builder = threading.Thread(
                target=self._build_vectors,
                args=(products, as_of),
                name="catalogue-vectors",
                daemon=True,
            )
            self.builder.start()

    def _apply_changes(self, index: ProductSearch) -> None:
        changed, removed, as_of = self._pages(self._as_of)
        today = self.today()
        if changed:
            index.upsert([from_wire(p, today) for p in changed])
        if removed:
            index.remove(removed)
        if changed or removed:
            log.info("catalogue: %d products changed, %d removed", len(changed), len(removed))
        self._as_of = as_of or self._as_of

    def _build_vectors(self, products: list[Product], as_of: datetime | None) -> None:
        """Builds the hybrid index from the first load's products, then brings it up to date
        (changes since that load) and puts it in place of the spelling-only one."""
        assert self.encoder is not None
        started = time.perf_counter()
        try:
            with _build_lock(self.cache_dir):  # another worker may be embedding the same texts
                index = ProductSearch(products, self.encoder(), cache_dir=self.cache_dir)
        except Exception:  # the encoder is missing or broken: spelling only, said loudly
            log.exception("catalogue: the vectors could not be built; searching by spelling only")
            return
        with self._lock:
            self._as_of = as_of  # replay onto it every change since the first load
            try:
                self._apply_changes(index)
            except ShopError as error:  # the next sync asks again for the changes since then
                log.warning("catalogue: sync after the vector build failed (%s)", error.code)
            self._search = index
        log.info(
            "catalogue: search by meaning ready for %d products (%.0f s)",
            len(index),
            time.perf_counter() - started,
        )


def named_encoder(name: str) -> Callable[[], Encoder] | None:
    """The encoder a setting names, loaded when first called ("" or "none": spelling only)."""
    name = name.strip().lower()
    if name in ("", "none"):
        return None

    def load() -> Encoder:
        from bot.kb.encoders import get_encoder

        return get_encoder(name)

    return load
