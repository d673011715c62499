"""The verified order as the agent reads it: French labels and values, never the slot's
internal keys and Python values ("cancellable: False", "blocked: [{…}]"; issue 19, defect 4).

The slot `order_facts` is written by the actions and read back here through the same type,
`VerifiedOrder` (bot/dialogue/verified_order.py): what it does not know is left out rather
than shown raw, and a slot from an older conversation shows what it has.
"""

from __future__ import annotations

from typing import Any

from bot.clients.shop.models import AWAITING_DELIVERY
from bot.dialogue.texts import STATUS_LABELS, french_date
from bot.dialogue.verified_order import VerifiedOrder


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def order_rows(facts: Any) -> list[tuple[str, str]]:
    """(label, value) pairs for the case page, in the order the agent reads them, from the
    slot's value as the tracker holds it; empty when there is no verified order."""
    order = VerifiedOrder.from_slot(facts)
    if order is None:
        return []
    rows: list[tuple[str, str]] = []
    if order.first_name:
        rows.append(("Prénom", order.first_name))
    if order.status is not None:
        rows.append(("État", STATUS_LABELS[order.status]))
    if order.expected_delivery and order.status in AWAITING_DELIVERY:
        rows.append(("Livraison prévue", french_date(order.expected_delivery)))
    rows += [
        ("Annulable", _yes_no(order.cancellable)),
        ("Adresse modifiable", _yes_no(order.address_changeable)),
        ("Articles retournables", ", ".join(item.name for item in order.returnable) or "aucun"),
        (
            "Articles non retournables",
            " ; ".join(
                f"{item.name} ({item.reason})" if item.reason else item.name
                for item in order.blocked
            )
            or "aucun",
        ),
    ]
    return rows
