"""The seed is deterministic (names, e-mails, numbers), relative to today for dates, and
covers every situation the assistant must handle."""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.clients.shop.models import OrderStatus
from bot.demo_shop import db, rules, seed

from .conftest import SEED

TRACKING_FORMATS = {
    "Colissimo": (r"^(6A|6C|8R)\d{11}$", "https://www.laposte.fr/outils/suivre-vos-envois?code="),
    "Chronopost": (r"^X[WKA]\d{9}FR$", "https://www.chronopost.fr/tracking-no-cms/suivi-page"),
    "Mondial Relay": (r"^\d{8}$", "https://www.mondialrelay.fr/suivi-de-colis/"),
    "DPD": (r"^250\d{11}$", "https://trace.dpd.fr/fr/trace/"),
}


def _snapshot(path: Path, now: datetime) -> list[tuple]:
    engine = db.make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        rows = session.scalars(select(db.OrderRow).order_by(db.OrderRow.number)).all()
        snapshot = [
            (
                o.number,
                o.customer.email,
                o.customer.first_name,
                o.status,
                o.shipping_address.postcode,
                [line.sku for line in o.lines],
                o.shipment.tracking_number if o.shipment else None,
                [r.reference[9:] for r in o.refunds],
                now - o.placed_at,
            )
            for o in rows
        ]
    engine.dispose()
    return snapshot


@pytest.fixture(scope="module")
def old_seed(
    tmp_path_factory: pytest.TempPathFactory, seed_moment: datetime
) -> tuple[Path, datetime]:
    """The same seed, run 200 days before the template's."""
    path = tmp_path_factory.mktemp("old") / "shop.db"
    now = seed_moment - timedelta(days=200, hours=5)
    engine = db.make_engine(f"sqlite:///{path}")
    seed.ensure_seeded(engine, SEED, now)
    engine.dispose()
    return path, now


def test_two_seeds_are_identical_except_for_dates_that_follow_today(
    seeded_template: Path, seed_moment: datetime, old_seed: tuple[Path, datetime]
) -> None:
    today = _snapshot(seeded_template, seed_moment)
    long_ago = _snapshot(*old_seed)
    assert today == long_ago  # numbers, e-mails, items… and every date's offset from seeding
    assert len(today) >= 240


def test_another_seed_value_gives_other_people(seed_moment: datetime) -> None:
    mine = [c.email for c in seed._customers(random.Random(SEED), seed_moment)]
    other = [c.email for c in seed._customers(random.Random(SEED + 1), seed_moment)]
    assert mine == [c.email for c in seed._customers(random.Random(SEED), seed_moment)]
    assert mine != other


def test_volumes_and_coverage(seeded_template: Path) -> None:
    engine = db.make_engine(f"sqlite:///{seeded_template}")
    with Session(engine) as session:
        customers = session.scalar(select(func.count()).select_from(db.CustomerRow))
        orders = session.scalars(select(db.OrderRow)).all()
        assert customers is not None and customers >= 50
        assert len(orders) >= 240
        per_status = Counter(o.status for o in orders)
        assert set(per_status) == {s.value for s in OrderStatus}
        assert min(per_status.values()) >= 15
        categories = {line.category for o in orders for line in o.lines}
        assert categories == set(rules.CATEGORIES)
        assert all(1 <= len(o.lines) <= 4 for o in orders)
        assert {o.shipment.carrier for o in orders if o.shipment} == set(TRACKING_FORMATS)
    engine.dispose()


def test_people_and_addresses_look_french(seeded_template: Path) -> None:
    engine = db.make_engine(f"sqlite:///{seeded_template}")
    with Session(engine) as session:
        customers = session.scalars(select(db.CustomerRow)).all()
        emails = [c.email for c in customers]
        assert len(set(emails)) == len(emails)
        assert all(re.match(r"^[a-z0-9.]+@[a-z.]+$", e) for e in emails)
        assert all(re.match(r"^0[67]( \d\d){4}$", c.phone) for c in customers)
        for address in session.scalars(select(db.AddressRow)):
            assert re.match(r"^\d{5}$", address.postcode) and address.city and address.line1
    engine.dispose()


def test_orders_tell_consistent_stories(seeded_template: Path) -> None:
    engine = db.make_engine(f"sqlite:///{seeded_template}")
    today = rules.shop_now().date()
    with Session(engine) as session:
        orders = session.scalars(select(db.OrderRow)).all()
        S = OrderStatus
        for o in orders:
            assert re.match(r"^CM\d{6}$", o.number)
            status = o.status_enum
            if status in (S.PAID, S.PREPARING, S.CANCELLED):
                assert o.shipment is None
                continue
            ship = o.shipment
            assert ship is not None and ship.events
            pattern, url = TRACKING_FORMATS[ship.carrier]
            assert re.match(pattern, ship.tracking_number), ship.tracking_number
            assert ship.tracking_url.startswith(url) and ship.tracking_number in ship.tracking_url
            times = [e.at for e in ship.events]
            assert times == sorted(times) and times[-1] <= rules.shop_now()
            assert (ship.delivered_at is not None) == (status in (S.DELIVERED, S.RETURNED))
            if status == S.DELAYED:
                assert ship.expected_delivery < today
                assert re.search(r"retard", ship.events[-1].description, re.I)
        delivered = [o for o in orders if o.status == "delivered"]
        windows = Counter(rules.return_deadline(o.delivered_at) >= today for o in delivered)  # type: ignore[operator]
        assert windows[True] >= 5 and windows[False] >= 5
        for o in orders:
            if o.status == "returned":
                assert o.returns and o.refunds and all(line.return_id for line in o.lines)
            if o.status == "cancelled":
                assert o.refunds and o.cancelled_at is not None
        places = " ".join(e.place for o in orders if o.shipment for e in o.shipment.events)
        for place in ("Plateforme Colissimo de Wissous", "Agence Chronopost Lyon", "Point Relais"):
            assert place in places
    engine.dispose()


def test_recent_deliveries_stay_returnable_whenever_the_demo_is_seeded(
    old_seed: tuple[Path, datetime],
) -> None:
    path, then = old_seed
    engine = db.make_engine(f"sqlite:///{path}")
    with Session(engine) as session:
        delivered = session.scalars(select(db.OrderRow).where(db.OrderRow.status == "delivered"))
        assert (
            sum(
                rules.order_return_blocker(OrderStatus.DELIVERED, o.delivered_at, then.date())
                is None
                for o in delivered
            )
            >= 5
        )
    engine.dispose()


def test_ensure_seeded_is_idempotent_and_reset_reseeds(db_url: str) -> None:
    engine = db.make_engine(db_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(db.OrderRow))
        session.execute(update(db.ProductRow).values(stock=0))
        session.commit()
    assert seed.ensure_seeded(engine, SEED) is False  # already seeded: nothing touched
    with Session(engine) as session:
        assert session.scalar(select(func.sum(db.ProductRow.stock))) == 0
    seed.reset_database(engine, SEED)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(db.OrderRow)) == count
        assert session.scalar(select(func.sum(db.ProductRow.stock)))
    engine.dispose()


@pytest.mark.parametrize(
    "city, expected", [("Orléans", "d'Orléans"), ("Le Havre", "du Havre"), ("Lyon", "de Lyon")]
)
def test_place_names_use_french_elision(city: str, expected: str) -> None:
    assert seed._de(city) == expected
