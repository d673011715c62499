"""The verified order on the case page, read from the slot through `VerifiedOrder`."""

from __future__ import annotations

from datetime import date

from bot.backoffice.order_panel import order_rows
from bot.clients.shop.models import OrderStatus
from bot.dialogue.verified_order import BlockedItem, ReturnableItem, VerifiedOrder


def test_the_order_in_french_in_reading_order():
    slot = VerifiedOrder(
        number="CM483391",
        status=OrderStatus.SHIPPED,
        returnable=(ReturnableItem("TH-01", "Théière Kyoto"),),
        blocked=(BlockedItem("Thé vert Sencha", "produit ouvert ou descellé"), BlockedItem("Bon")),
        expected_delivery=date(2026, 11, 27),
        first_name="Léa",
    ).to_slot()
    assert order_rows(slot) == [
        ("Prénom", "Léa"),
        ("État", "expédiée"),
        ("Livraison prévue", "27 novembre" + ("" if date.today().year == 2026 else " 2026")),
        ("Annulable", "non"),
        ("Adresse modifiable", "non"),
        ("Articles retournables", "Théière Kyoto"),
        ("Articles non retournables", "Thé vert Sencha (produit ouvert ou descellé) ; Bon"),
    ]


def test_an_expected_date_is_shown_only_while_the_parcel_is_awaited():
    slot = VerifiedOrder(status=OrderStatus.DELIVERED, expected_delivery=date(2026, 11, 27))
    assert "Livraison prévue" not in dict(order_rows(slot.to_slot()))


def test_an_older_or_damaged_slot_shows_what_it_has():
    rows = dict(order_rows({"status": "teleported", "cancellable": True, "first_name": "Léa"}))
    assert "État" not in rows and rows["Annulable"] == "oui" and rows["Prénom"] == "Léa"
    assert rows["Articles retournables"] == "aucun"


def test_no_verified_order_no_rows():
    assert order_rows(None) == [] and order_rows({}) == [] and order_rows("CM1") == []
