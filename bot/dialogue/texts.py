"""French wording of shop data: dates, amounts, statuses, tracking summaries.

Pure functions so that every reply can be unit-tested without Rasa or a shop.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from bot.clients.shop.models import OrderStatus, Refund, ShippingMethod, Tracking

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

STATUS_LABELS = {
    OrderStatus.PAID: "payée, en attente de préparation",
    OrderStatus.PREPARING: "en cours de préparation",
    OrderStatus.SHIPPED: "expédiée",
    OrderStatus.OUT_FOR_DELIVERY: "en cours de livraison aujourd'hui",
    OrderStatus.DELIVERED: "livrée",
    OrderStatus.DELAYED: "en retard de livraison",
    OrderStatus.CANCELLED: "annulée",
    OrderStatus.RETURNED: "retournée",
}

REFUND_LABELS = {"pending": "en attente", "processing": "en cours", "refunded": "effectué"}


def french_date(value: date | datetime, weekday: bool = False) -> str:
    """'mardi 24 novembre' – the year is left out when it is the current one."""
    day = value.date() if isinstance(value, datetime) else value
    text = f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]}"
    if day.year != date.today().year:
        text += f" {day.year}"
    return f"{DAYS[day.weekday()]} {text}" if weekday else text


def euros(amount: float) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    return f"{whole},{cents} €"


def safe(text: str, limit: int = 200) -> str:
    """Shopper-supplied text, made harmless before it is ever repeated back to anyone."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return html.escape(text, quote=False)


def tracking_summary(number: str, tracking: Tracking) -> str:
    """Status, carrier, tracking link, last event and expected date, in a few short lines."""
    lines = [f"Votre commande {number} est {STATUS_LABELS[tracking.status]}."]
    if tracking.carrier and tracking.tracking_number:
        lines.append(f"Transporteur : {tracking.carrier}, n° de suivi {tracking.tracking_number}.")
    if tracking.events:
        last = max(tracking.events, key=lambda event: event.at)
        lines.append(
            f"Dernier événement ({french_date(last.at)} à {last.at:%H:%M}) : "
            f"{last.description} – {last.place}."
        )
    if tracking.status == OrderStatus.DELIVERED and tracking.delivered_at:
        lines.append(f"Livrée le {french_date(tracking.delivered_at)}.")
    elif tracking.expected_shipping and tracking.expected_delivery:
        lines.append(
            f"Expédition prévue le {french_date(tracking.expected_shipping, weekday=True)}, "
            f"livraison prévue le {french_date(tracking.expected_delivery, weekday=True)}."
        )
    elif tracking.expected_delivery and tracking.status not in (
        OrderStatus.CANCELLED,
        OrderStatus.RETURNED,
    ):
        when = french_date(tracking.expected_delivery, weekday=True)
        verb = "était prévue" if tracking.delayed else "est prévue"
        lines.append(f"La livraison {verb} le {when}.")
    if tracking.tracking_url:
        lines.append(f"Suivi détaillé : {tracking.tracking_url}")
    return "\n".join(lines)


def shipping_methods_summary(methods: list[ShippingMethod]) -> str:
    lines = ["Nos délais de livraison (jours ouvrés, après expédition) :"]
    for method in sorted(methods, key=lambda m: (m.min_days, m.price)):
        days = (
            f"{method.min_days} jour"
            if method.min_days == method.max_days == 1
            else f"{method.min_days} à {method.max_days} jours"
        )
        free = f", offerte dès {euros(method.free_above)}" if method.free_above else ""
        lines.append(f"• {method.name} : {days}, {euros(method.price)}{free}")
    lines.append("Les commandes passées avant 14 h sont expédiées le jour même (hors week-end).")
    return "\n".join(lines)


def refund_summary(refunds: list[Refund]) -> str:
    lines = []
    for refund in refunds:
        line = (
            f"• Remboursement {refund.reference} de {euros(refund.amount)} "
            f"({safe(refund.reason, 80)}) : {REFUND_LABELS.get(refund.status, refund.status)}"
        )
        if refund.status == "refunded" and refund.refunded_at:
            line += f" le {french_date(refund.refunded_at)}"
        elif refund.expected_by:
            line += f", au plus tard le {french_date(refund.expected_by)}"
        lines.append(line + ".")
    return "\n".join(lines)
