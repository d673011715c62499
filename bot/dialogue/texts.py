"""Shop data in French: dates, amounts, statuses, tracking and refund summaries.

The words are the catalogue's (bot/core/replies.py); what is here is how shop data is written
(dates, amounts) and which lines a summary has. Pure functions, so that every reply can be
unit-tested without Rasa or a shop. Text is plain: shown as text by every channel, never escaped.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.clients.shop.models import CLOSED, OrderStatus, Refund, ShippingMethod, Tracking
from bot.core import replies
from bot.core.text import without_controls

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

# The catalogue's labels, keyed by the shop's status (the back office's order panel reads them).
STATUS_LABELS = {status: replies.ORDER_STATUSES[status.value] for status in OrderStatus}
REFUND_LABELS = replies.REFUND_STATUSES


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


def one_line(text: str, limit: int = 200) -> str:
    """Text from a shopper or the shop, fit to be quoted in a reply: without control
    characters, on one line, at most `limit` characters (cut with "…"). Not escaped: each
    channel shows text as text."""
    text = " ".join(without_controls(str(text)).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def tracking_summary(number: str, tracking: Tracking) -> str:
    """Status, carrier, tracking link, last event and expected date, in a few short lines."""
    lines = [replies.TRACKING_STATUS.format(number=number, status=STATUS_LABELS[tracking.status])]
    if tracking.carrier and tracking.tracking_number:
        lines.append(
            replies.TRACKING_CARRIER.format(
                carrier=tracking.carrier, tracking_number=tracking.tracking_number
            )
        )
    if tracking.events:
        last = max(tracking.events, key=lambda event: event.at)
        lines.append(
            replies.TRACKING_LAST_EVENT.format(
                date=french_date(last.at),
                time=f"{last.at:%H:%M}",
                description=last.description,
                place=last.place,
            )
        )
    if tracking.status == OrderStatus.DELIVERED and tracking.delivered_at:
        lines.append(replies.TRACKING_DELIVERED.format(date=french_date(tracking.delivered_at)))
    elif tracking.expected_shipping and tracking.expected_delivery:
        lines.append(
            replies.TRACKING_PLANNED.format(
                shipping=french_date(tracking.expected_shipping, weekday=True),
                delivery=french_date(tracking.expected_delivery, weekday=True),
            )
        )
    elif tracking.expected_delivery and tracking.status not in CLOSED:
        lines.append(
            (replies.TRACKING_WAS_DUE if tracking.delayed else replies.TRACKING_DUE).format(
                date=french_date(tracking.expected_delivery, weekday=True)
            )
        )
    if tracking.tracking_url:
        lines.append(replies.TRACKING_LINK.format(url=tracking.tracking_url))
    return "\n".join(lines)


def shipping_methods_summary(methods: list[ShippingMethod]) -> str:
    lines = [replies.SHIPPING_METHODS_TITLE]
    for method in sorted(methods, key=lambda m: (m.min_days, m.price)):
        days = (
            replies.ONE_DAY.format(days=method.min_days)
            if method.min_days == method.max_days == 1
            else replies.DAYS_RANGE.format(min_days=method.min_days, max_days=method.max_days)
        )
        free = (
            replies.FREE_ABOVE.format(amount=euros(method.free_above)) if method.free_above else ""
        )
        lines.append(
            replies.SHIPPING_METHOD.format(
                name=method.name, days=days, price=euros(method.price), free=free
            )
        )
    lines.append(replies.SAME_DAY_SHIPPING)
    return "\n".join(lines)


def refund_summary(refunds: list[Refund]) -> str:
    lines = []
    for refund in refunds:
        line = replies.REFUND_LINE.format(
            reference=refund.reference,
            amount=euros(refund.amount),
            reason=one_line(refund.reason, 80),
            status=REFUND_LABELS.get(refund.status, refund.status),
        )
        if refund.status == "refunded" and refund.refunded_at:
            line += replies.REFUNDED_ON.format(date=french_date(refund.refunded_at))
        elif refund.expected_by:
            line += replies.REFUND_BY.format(date=french_date(refund.expected_by))
        lines.append(line + ".")
    return "\n".join(lines)
