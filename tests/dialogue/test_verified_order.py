"""The verified order kept in the slot `order_facts`, and the status groups its readers use."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.clients.shop.models import (
    AWAITING_DELIVERY,
    BEFORE_SHIPPING,
    CLOSED,
    DISPATCHED,
    IN_TRANSIT,
    RECEIVED,
    OrderStatus,
)
from bot.dialogue.verified_order import BlockedItem, ReturnableItem, VerifiedOrder
from tests.actions.conftest import make_order

# As actions/common.py wrote the slot before the type existed (no "number").
OLD_SLOT = {
    "status": "delivered",
    "cancellable": False,
    "address_changeable": False,
    "returnable": [{"sku": "TH-01", "name": "Théière Kyoto"}],
    "blocked": [{"name": "Thé vert Sencha", "reason": "produit ouvert ou descellé"}],
    "expected_delivery": "2026-11-27",
    "first_name": "Léa",
}


def test_an_order_round_trips_through_the_slot_as_json():
    order = VerifiedOrder.from_order(make_order("CM300001", OrderStatus.DELIVERED))
    assert order == VerifiedOrder(
        number="CM300001",
        status=OrderStatus.DELIVERED,
        cancellable=False,
        address_changeable=False,
        returnable=(ReturnableItem("PULL-01", "Pull en laine mérinos"),),
        blocked=(BlockedItem("Eau de parfum 50 ml", "produit d'hygiène ouvert"),),
        expected_delivery=date(2026, 11, 24),
        first_name="Camille",
    )
    on_the_wire = json.loads(json.dumps(order.to_slot()))  # what Rasa stores
    assert on_the_wire["status"] == "delivered" and on_the_wire["expected_delivery"] == "2026-11-24"
    assert VerifiedOrder.from_slot(on_the_wire) == order


def test_an_empty_order_round_trips_too():
    assert VerifiedOrder.from_slot(VerifiedOrder(number="CM1").to_slot()) == VerifiedOrder(
        number="CM1"
    )


def test_what_older_trackers_stored_is_read():
    order = VerifiedOrder.from_slot(OLD_SLOT)
    assert order is not None
    assert order.number is None and order.status is OrderStatus.DELIVERED
    assert [item.name for item in order.returnable] == ["Théière Kyoto"]
    assert order.blocked == (BlockedItem("Thé vert Sencha", "produit ouvert ou descellé"),)
    assert order.expected_delivery == date(2026, 11, 27) and order.first_name == "Léa"


@pytest.mark.parametrize("value", [None, {}, [], "CM100234", 3])
def test_nothing_stored_is_no_order(value):
    assert VerifiedOrder.from_slot(value) is None


def test_missing_keys_take_the_cautious_default():
    order = VerifiedOrder.from_slot({"status": "paid"})
    assert order == VerifiedOrder(status=OrderStatus.PAID)
    assert not order.cancellable and not order.address_changeable and not order.returnable


@pytest.mark.parametrize("status", ["lost_in_space", None, 7, ["paid"]])
def test_an_unknown_status_is_no_status_and_in_no_group(status):
    order = VerifiedOrder.from_slot({**OLD_SLOT, "status": status})
    assert order is not None and order.status is None
    for group in (BEFORE_SHIPPING, IN_TRANSIT, RECEIVED, DISPATCHED, AWAITING_DELIVERY, CLOSED):
        assert order.status not in group
    assert order.first_name == "Léa"  # the rest is still read


def test_values_of_the_wrong_shape_are_read_as_missing():
    order = VerifiedOrder.from_slot(
        {
            "status": "shipped",
            "cancellable": "yes",
            "returnable": [{"name": "no sku"}, "PULL-01", {"sku": "TH-01", "name": "Théière"}],
            "blocked": {"name": "not a list"},
            "expected_delivery": "le 27",
            "first_name": None,
        }
    )
    assert order == VerifiedOrder(
        status=OrderStatus.SHIPPED, returnable=(ReturnableItem("TH-01", "Théière"),)
    )


def test_every_status_is_in_exactly_one_stage():
    stages = (BEFORE_SHIPPING, IN_TRANSIT, RECEIVED, frozenset({OrderStatus.CANCELLED}))
    for status in OrderStatus:
        assert sum(status in stage for stage in stages) == 1, status


@pytest.mark.parametrize(
    ("group", "members"),
    [
        (BEFORE_SHIPPING, {"paid", "preparing"}),
        (IN_TRANSIT, {"shipped", "out_for_delivery", "delayed"}),
        (RECEIVED, {"delivered", "returned"}),
        (DISPATCHED, {"shipped", "out_for_delivery", "delayed", "delivered", "returned"}),
        (AWAITING_DELIVERY, {"paid", "preparing", "shipped", "out_for_delivery", "delayed"}),
        (CLOSED, {"cancelled", "returned"}),
    ],
)
def test_status_groups(group, members):
    assert {status.value for status in group} == members
