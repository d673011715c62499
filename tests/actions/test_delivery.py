"""Delivery times, in general or for the verified order."""

from __future__ import annotations

from actions.delivery import ActionDeliveryTimes
from tests.actions.conftest import run, texts, tracker, verified


def test_general_delivery_times_from_the_shop(shop):
    _, dispatcher = run(ActionDeliveryTimes(), tracker())
    said = texts(dispatcher)
    assert "Chronopost express : 1 jour, 9,90 €" in said
    assert "Colissimo à domicile : 2 à 3 jours, 4,90 €, offerte dès 60,00 €" in said


def test_verified_order_gets_its_own_date(shop):
    _, dispatcher = run(ActionDeliveryTimes(), tracker(verified("CM100234")))
    assert texts(dispatcher) == "Votre commande CM100234 est attendue le mardi 24 novembre."


def test_shop_down_hands_over(shop, back_office):
    shop.down = True
    _, dispatcher = run(ActionDeliveryTimes(), tracker())
    assert "Toutes mes excuses" in texts(dispatcher)
    assert [h.reason.value for h in back_office.handoffs] == ["shop_down"]
