"""The verified order as the agent reads it: French labels and values, never the slot's
internal keys and Python values ("cancellable: False", "blocked: [{…}]"; issue 19, defect 4).

The slot `order_facts` is written by the actions (actions/common.py `order_facts`); a key this
module does not know is left out rather than shown raw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot.clients.shop.models import OrderStatus
from bot.dialogue.texts import STATUS_LABELS, french_date


def _yes_no(value: Any) -> str:
    return "oui" if value else "non"


def _status(value: Any) -> str:
    try:
        return STATUS_LABELS[OrderStatus(value)]
    except ValueError:
        return str(value)


def _names(items: Any) -> str:
    names = [str(item.get("name")) for item in items or [] if isinstance(item, Mapping)]
    return ", ".join(names) or "aucun"


def _blocked(items: Any) -> str:
    lines = [
        f"{item.get('name')} ({item.get('reason')})"
        if item.get("reason")
        else str(item.get("name"))
        for item in items or []
        if isinstance(item, Mapping)
    ]
    return " ; ".join(lines) or "aucun"


def _date(value: Any) -> str:
    try:
        return french_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


# slot key -> (label, how to show the value), in the order the agent reads them
ROWS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "first_name": ("Prénom", str),
    "status": ("État", _status),
    "expected_delivery": ("Livraison prévue", _date),
    "cancellable": ("Annulable", _yes_no),
    "address_changeable": ("Adresse modifiable", _yes_no),
    "returnable": ("Articles retournables", _names),
    "blocked": ("Articles non retournables", _blocked),
}


def order_rows(facts: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) pairs for the case page; empty values are left out."""
    rows = []
    for key, (label, show) in ROWS.items():
        value = (facts or {}).get(key)
        if value is None or value == "":
            continue
        rows.append((label, show(value)))
    return rows
