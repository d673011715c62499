"""The catalogue kept in step with the shop's feed (bot/catalogue/live.py): paging, changes
and removals picked up live, a shop that fails, the vectors built in the background."""

from __future__ import annotations

import hashlib
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from bot.catalogue.generate import generate
from bot.catalogue.live import CatalogueUnavailable, LiveCatalogue
from bot.catalogue.wire import from_wire, to_wire
from bot.clients.shop import models as wire
from bot.clients.shop.contract import ProductNotFound, ShopUnavailable

TODAY = date(2026, 12, 1)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Feed:
    """The shop's side: products with an updated_at, tombstones, pages of `page` products."""

    def __init__(self, products: list[wire.Product], page: int = 40) -> None:
        self.clock = T0
        self.items = {p.sku: p.model_copy(update={"updated_at": T0}) for p in products}
        self.removed: dict[str, datetime] = {}
        self.page = page
        self.down = False
        self.calls: list[tuple[datetime | None, str | None]] = []

    def tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def put(self, product: wire.Product) -> None:
        self.items[product.sku] = product.model_copy(update={"updated_at": self.tick()})

    def delete(self, sku: str) -> None:
        del self.items[sku]
        self.removed[sku] = self.tick()

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> wire.ProductPage:
        self.calls.append((updated_since, cursor))
        if self.down:
            raise ShopUnavailable("down")
        since = updated_since or datetime.min.replace(tzinfo=timezone.utc)
        changed = sorted(
            (p for p in self.items.values() if p.updated_at and p.updated_at > since),
            key=lambda p: p.sku,
        )
        start = int(cursor or 0)
        chunk = changed[start : start + self.page]
        more = start + self.page < len(changed)
        removed = [s for s, at in self.removed.items() if updated_since and at > since]
        return wire.ProductPage(
            products=chunk,
            removed=removed if not cursor else [],
            next_cursor=str(start + self.page) if more else None,
            as_of=self.clock,
        )

    def product(self, sku: str) -> wire.Product:
        if self.down:
            raise ShopUnavailable("down")
        if sku not in self.items:
            raise ProductNotFound(sku)
        return self.items[sku]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def feed() -> Feed:
    return Feed([to_wire(p, TODAY) for p in generate(120)])


@pytest.fixture
def clock() -> Clock:
    return Clock()


def live(feed: Feed, clock: Clock, **options: object) -> LiveCatalogue:
    return LiveCatalogue(feed, clock=clock, today=lambda: TODAY, refresh_seconds=30, **options)


def test_the_first_search_loads_every_page(feed, clock):
    catalogue = live(feed, clock)
    result = catalogue.search("bouilloire électrique inox")
    assert result.found and result.hits[0].product.name.startswith("Bouilloire électrique inox")
    assert [cursor for _, cursor in feed.calls] == [None, "40", "80"]
    assert len(catalogue.refresh()) == 120


def test_changes_and_removals_are_seen_after_the_refresh_interval(feed, clock):
    catalogue = live(feed, clock)
    catalogue.search("bouilloire")
    kettle = next(p for p in feed.items.values() if p.name.startswith("Bouilloire électrique"))
    feed.put(kettle.model_copy(update={"name": "Théière électrique en fonte"}))
    feed.delete("MOD-1001")
    clock.now += 10  # not due yet: the index as it was, and no call to the shop
    calls = len(feed.calls)
    assert catalogue.get("MOD-1001") is not None
    assert len(feed.calls) == calls
    clock.now += 30
    assert catalogue.get("MOD-1001") is None
    assert feed.calls[-1][0] == T0  # only what changed since the first load
    assert catalogue.search("théière en fonte").hits[0].product.sku == kettle.sku


def test_details_are_read_from_the_shop_and_update_the_index(feed, clock):
    catalogue = live(feed, clock)
    catalogue.refresh()
    pull = feed.items["MOD-1001"]
    feed.items["MOD-1001"] = pull.model_copy(
        update={"variants": [v.model_copy(update={"price": 49.0}) for v in pull.variants]}
    )
    fresh = catalogue.details("MOD-1001")
    assert fresh is not None and {v.price for v in fresh.variants} == {49.0}
    assert catalogue.get("MOD-1001") == fresh  # without waiting for the next sync
    del feed.items["MOD-1001"]
    assert catalogue.details("MOD-1001") is None
    assert catalogue.get("MOD-1001") is None


def test_a_shop_down_at_the_first_load_is_unavailable_later_keeps_the_index(feed, clock):
    catalogue = live(feed, clock)
    feed.down = True
    with pytest.raises(CatalogueUnavailable):
        catalogue.search("pull")
    feed.down = False
    clock.now += 31
    catalogue.search("pull")
    feed.down = True
    clock.now += 31
    assert catalogue.search("pull col rond laine").hits  # the index as it was
    assert catalogue.details("MOD-1001") == catalogue.get("MOD-1001")  # the indexed copy


def test_a_restock_date_in_the_past_is_dropped():
    product = to_wire(next(p for p in generate(50) if p.sku == "MOD-1006"), TODAY)
    assert all(v.restock_date for v in product.variants)
    later = TODAY + timedelta(days=30)
    assert all(v.restock_in_days is None for v in from_wire(product, later).variants)
    assert [v.restock_in_days for v in from_wire(product, TODAY).variants] == [20, 6, 18, 14]


class HashEncoder:
    """A stand-in encoder: vectors from the text's hash (the build's plumbing, not quality);
    `gate` holds the build until the test releases it."""

    name = "hash-test"
    dimension = 16
    package = "none"
    document_prompt = None
    checksum = "0" * 64

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.texts = 0

    def encode(self, texts, normalize_embeddings=True, prompt_name=None, batch_size=64):
        self.gate.wait(10)
        self.texts += len(texts)
        rows = []
        for text in texts:
            seed = int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)
            row = np.random.default_rng(seed).standard_normal(self.dimension)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32)


def test_vectors_are_built_in_the_background_then_brought_up_to_date(feed, clock, tmp_path: Path):
    encoder = HashEncoder()
    catalogue = live(feed, clock, encoder=lambda: encoder, cache_dir=tmp_path)
    assert catalogue.search("pull col rond").hits  # by spelling, at once
    assert not catalogue.hybrid
    feed.delete("MOD-1002")  # while the vectors are being built
    clock.now += 31
    catalogue.refresh()
    encoder.gate.set()
    assert catalogue.builder is not None
    catalogue.builder.join(10)
    assert catalogue.hybrid
    assert catalogue.get("MOD-1002") is None  # the change made during the build is kept
    assert encoder.texts == 120
    # Another process (an action server worker) finds the vectors on disk.
    again = HashEncoder()
    again.gate.set()
    other = live(feed, clock, encoder=lambda: again, cache_dir=tmp_path)
    other.refresh()
    assert other.builder is not None
    other.builder.join(10)
    assert other.hybrid and again.texts == 0
