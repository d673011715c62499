"""The demo shop's side of delay notices: a parcel becomes late (a person of the shop, or a
test, says so with `python -m bot.demo_shop delay`), and the shop tells Comptoir with a signed
event, as WooCommerce or Shopify would with a webhook.
"""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy.orm import Session

from bot.clients.shop import demo_events
from bot.clients.shop.models import IN_TRANSIT, OrderStatus
from bot.demo_shop import db, rules


class CannotDelay(Exception):
    """The order does not exist or is not with the carrier: nothing can be late."""


def delay(session: Session, number: str, days: int) -> demo_events.OrderEvent:
    """Mark the order late by `days` more days (from its expected date, or from today when
    that has passed) and return the event that announces it."""
    row = db.find_order(session, rules.normalise_order_number(number) or number)
    if row is None:
        raise CannotDelay(f"aucune commande {number}")
    if OrderStatus(row.status) not in IN_TRANSIT or row.shipment is None:
        raise CannotDelay(f"la commande {row.number} n'est pas en cours d'acheminement")
    now = rules.shop_now()
    start = max(row.shipment.expected_delivery, now.date())
    row.shipment.expected_delivery = start + timedelta(days=days)
    row.status = OrderStatus.DELAYED.value
    row.shipment.events.append(
        db.TrackingEventRow(
            at=now,
            place="Plateforme du transporteur",
            description="Retard d'acheminement : nouvelle date de livraison communiquée",
        )
    )
    session.commit()
    expected = row.shipment.expected_delivery
    return demo_events.OrderEvent(
        event=demo_events.DELAYED,
        id=f"{row.number}:{expected.isoformat()}",  # the same delay sent again: one notice
        order_number=row.number,
        expected_delivery=expected,
    )


def send(event: demo_events.OrderEvent, url: str, secret: str, timeout: float = 5.0) -> int:
    """POST the signed event to Comptoir's webhook; returns the HTTP status."""
    body = event.model_dump_json().encode()
    response = requests.post(
        url,
        data=body,
        headers={
            "Content-Type": "application/json",
            demo_events.SIGNATURE_HEADER: demo_events.sign(body, secret),
        },
        timeout=timeout,
    )
    return response.status_code
