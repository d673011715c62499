"""The demo shop's own rules, as pure functions over plain values.

Kept apart from the database and the HTTP layer so that the API enforces exactly what the
`Order`/`Item` flags announce (the bot explains a refusal *before* trying), and so that every
rule is unit-tested without a server. Messages are French: they reach shoppers verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo

from bot.clients.shop.models import ClaimKind, OrderStatus, ReturnPolicy, ShippingMethod

try:  # The shop is French: its clock is Paris time, whatever the server's zone.
    from zoneinfo import ZoneInfo

    SHOP_TZ: tzinfo = ZoneInfo("Europe/Paris")
except Exception:  # pragma: no cover - no tz database on the machine
    SHOP_TZ = timezone(timedelta(hours=1))

WITHDRAWAL_DAYS = 14  # droit de rétractation (Code de la consommation, art. L221-18)
REFUND_DELAY_DAYS = 14  # refund at the latest 14 days after the return is received
CANCEL_REFUND_DAYS = 5  # card refund after a cancellation before shipping
RETURN_TRANSIT_DAYS = 5  # time we allow a return parcel to reach the warehouse
MISSING_WAIT_HOURS = 48  # "delivered" parcels often turn up at a neighbour's within 48 h
LOST_AFTER_DAYS = 7  # a delayed parcel this late past its expected date is deemed lost
CLAIM_WINDOW_DAYS = 30  # later claims for damage/wrong item go to a person

CATEGORIES = (
    "mode",
    "maison",
    "petit électroménager",
    "high-tech",
    "cosmétiques",
    "parfum",
    "lingerie",
    "cartes cadeaux",
    "personnalisé",
)
NEVER_RETURNABLE = {
    "lingerie": "sous-vêtement ou maillot de bain : non repris pour des raisons d'hygiène",
    "personnalisé": "article personnalisé à votre demande : il ne peut être ni repris ni échangé",
    "cartes cadeaux": "les cartes cadeaux ne sont ni reprises ni remboursées",
}
HYGIENE_IF_OPENED = {"cosmétiques", "parfum"}
OPENED_BLOCKER = "produit ouvert ou descellé : non repris pour des raisons d'hygiène"
ALREADY_RETURNED = "cet article a déjà fait l'objet d'un retour"

SHIPPING_METHODS = [
    ShippingMethod(
        code="colissimo_domicile",
        name="Colissimo à domicile",
        carrier="Colissimo",
        min_days=2,
        max_days=3,
        price=4.90,
        free_above=60.0,
    ),
    ShippingMethod(
        code="colissimo_point_retrait",
        name="Colissimo en point retrait",
        carrier="Colissimo",
        min_days=2,
        max_days=4,
        price=3.50,
        free_above=60.0,
    ),
    ShippingMethod(
        code="mondial_relay",
        name="Mondial Relay en point relais",
        carrier="Mondial Relay",
        min_days=3,
        max_days=5,
        price=3.90,
        free_above=None,
    ),
    ShippingMethod(
        code="chronopost_express",
        name="Chronopost express 24 h",
        carrier="Chronopost",
        min_days=1,
        max_days=1,
        price=9.90,
        free_above=None,
    ),
    ShippingMethod(
        code="dpd_predict",
        name="DPD Predict (créneau d'1 h)",
        carrier="DPD",
        min_days=2,
        max_days=3,
        price=5.90,
        free_above=None,
    ),
]
SHIPPING_BY_CODE = {m.code: m for m in SHIPPING_METHODS}

RETURN_POLICY = ReturnPolicy(
    withdrawal_days=WITHDRAWAL_DAYS,
    refund_delay_days=REFUND_DELAY_DAYS,
    rules=[
        f"Vous disposez de {WITHDRAWAL_DAYS} jours après la livraison pour exercer votre droit "
        "de rétractation, sans avoir à vous justifier.",
        "Les articles doivent être retournés non portés, non lavés, avec leurs étiquettes, "
        "dans leur emballage d'origine si possible.",
        "Les cosmétiques et parfums ne sont repris que non ouverts et sous scellé (hygiène).",
        "Les sous-vêtements et maillots de bain, les articles personnalisés et les cartes "
        "cadeaux ne sont pas repris.",
        "L'étiquette de retour Colissimo est gratuite : elle est fournie à la création du retour.",
        f"Le remboursement est effectué sous {REFUND_DELAY_DAYS} jours après réception du "
        "retour, sur le moyen de paiement utilisé pour la commande.",
    ],
    non_returnable_categories=[
        "cosmétiques ouverts",
        "parfums ouverts",
        "lingerie (sous-vêtements, maillots de bain)",
        "articles personnalisés",
        "cartes cadeaux",
    ],
)

_SHIPPED = {OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY, OrderStatus.DELAYED}
_NUMBER = re.compile(r"^(?:CM)?(\d{6})$")
_POSTCODE = re.compile(r"^\d{5}$")


def shop_now() -> datetime:
    """Naive Paris wall-clock time: how the shop stores and compares every date."""
    return datetime.now(SHOP_TZ).replace(tzinfo=None)


def fr_date(day: date | datetime) -> str:
    """'23/11/2026': the format French shoppers read without thinking."""
    return day.strftime("%d/%m/%Y")


def normalise_order_number(raw: str) -> str | None:
    """'cm 482913', '#CM-482913', '482913' -> 'CM482913'; None when it cannot be one."""
    cleaned = re.sub(r"[\s#\-_.]", "", raw or "").upper()
    match = _NUMBER.match(cleaned)
    return f"CM{match.group(1)}" if match else None


def valid_postcode(postcode: str) -> bool:
    return bool(_POSTCODE.match(postcode.strip()))


def proof_matches(
    email: str | None, postcode: str | None, order_email: str, order_postcodes: set[str]
) -> bool:
    """Every proof given must match (giving both, one wrong, fails: no guessing)."""
    given = False
    if email and email.strip():
        given = True
        if email.strip().casefold() != order_email.strip().casefold():
            return False
    if postcode and postcode.strip():
        given = True
        if postcode.strip() not in order_postcodes:
            return False
    return given


def cancel_blocker(status: OrderStatus) -> str | None:
    """Why an order cannot be cancelled, or None: only before it leaves the warehouse."""
    if status in (OrderStatus.PAID, OrderStatus.PREPARING):
        return None
    if status == OrderStatus.CANCELLED:
        return "Cette commande est déjà annulée."
    if status in _SHIPPED:
        return (
            "Cette commande est déjà expédiée : elle ne peut plus être annulée. Vous pourrez "
            f"la retourner gratuitement dans les {WITHDRAWAL_DAYS} jours après la livraison."
        )
    if status == OrderStatus.DELIVERED:
        return (
            "Cette commande est déjà livrée : elle ne peut plus être annulée, mais vous "
            f"pouvez la retourner dans les {WITHDRAWAL_DAYS} jours après la livraison."
        )
    return "Cette commande a déjà été retournée : elle ne peut plus être annulée."


def address_blocker(status: OrderStatus) -> str | None:
    """Why the delivery address is locked, or None: it can change until the parcel leaves."""
    if status in (OrderStatus.PAID, OrderStatus.PREPARING):
        return None
    if status == OrderStatus.CANCELLED:
        return "Cette commande est annulée : son adresse ne peut plus être modifiée."
    return (
        "Le colis est déjà parti : l'adresse de livraison ne peut plus être modifiée. "
        "Le transporteur propose parfois de changer le lieu de livraison depuis son site "
        "de suivi."
    )


def return_deadline(delivered_at: datetime | None) -> date | None:
    """Last day of the withdrawal period (inclusive), once the order is delivered."""
    if delivered_at is None:
        return None
    return delivered_at.date() + timedelta(days=WITHDRAWAL_DAYS)


def order_return_blocker(
    status: OrderStatus, delivered_at: datetime | None, today: date
) -> tuple[str, str] | None:
    """(code, French reason) when nothing in the order can be returned today, else None."""
    if status == OrderStatus.CANCELLED:
        return "not_returnable", "Cette commande a été annulée : il n'y a rien à retourner."
    if delivered_at is None or status not in (OrderStatus.DELIVERED, OrderStatus.RETURNED):
        return (
            "not_delivered",
            "Cette commande n'est pas encore livrée : le retour sera "
            f"possible après la livraison, pendant {WITHDRAWAL_DAYS} jours.",
        )
    deadline = return_deadline(delivered_at)
    assert deadline is not None
    if today > deadline:
        return (
            "not_returnable",
            f"Le délai de rétractation de {WITHDRAWAL_DAYS} jours est "
            f"dépassé : il a pris fin le {fr_date(deadline)}.",
        )
    return None


def item_return_blocker(category: str, opened: bool, already_returned: bool) -> str | None:
    """Why this article can never be returned (whatever the order's state), or None."""
    if already_returned:
        return ALREADY_RETURNED
    if category in NEVER_RETURNABLE:
        return NEVER_RETURNABLE[category]
    if category in HYGIENE_IF_OPENED and opened:
        return OPENED_BLOCKER
    return None


def item_blocker_now(
    category: str,
    opened: bool,
    already_returned: bool,
    status: OrderStatus,
    delivered_at: datetime | None,
    today: date,
) -> str | None:
    """The one reason an article cannot be returned today, article rules first."""
    reason = item_return_blocker(category, opened, already_returned)
    if reason:
        return reason
    order_reason = order_return_blocker(status, delivered_at, today)
    return order_reason[1] if order_reason else None


def shipping_cost(method_code: str, subtotal: float) -> float:
    method = SHIPPING_BY_CODE[method_code]
    if method.free_above is not None and subtotal >= method.free_above:
        return 0.0
    return method.price


def refund_due(start: date, days: int) -> date:
    return start + timedelta(days=days)


CUTOFF_HOUR = 14  # orders paid before 14 h leave the warehouse the same working day


def working_days_after(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def expected_dates(
    status: OrderStatus, method_code: str, now: datetime
) -> tuple[date | None, date | None]:
    """(expected shipping day, expected delivery day) of an order not shipped yet: paid and
    preparing orders leave on the next working day (the same one before 14 h when already in
    preparation), then take the method's longest delay."""
    if status not in (OrderStatus.PAID, OrderStatus.PREPARING):
        return None, None
    today = now.date()
    same_day = status == OrderStatus.PREPARING and now.hour < CUTOFF_HOUR and today.weekday() < 5
    ship = today if same_day else working_days_after(today, 1)
    method = SHIPPING_BY_CODE.get(method_code)
    return ship, working_days_after(ship, method.max_days if method else 3)


@dataclass(frozen=True)
class ClaimDecision:
    """Either a resolution ('reship' | 'refund' | 'investigation') or a refusal (code)."""

    resolution: str | None
    message: str
    code: str | None = None  # set when refused (HTTP 409)


def claim_decision(
    kind: ClaimKind,
    status: OrderStatus,
    delivered_at: datetime | None,
    expected_delivery: date | None,
    now: datetime,
    in_stock: bool,
) -> ClaimDecision:
    """What the shop does about a damaged, wrong or missing parcel, per its simple rules."""
    if status in (OrderStatus.PAID, OrderStatus.PREPARING):
        return ClaimDecision(
            None,
            "Votre commande n'a pas encore été expédiée : aucune "
            "réclamation de livraison n'est possible pour l'instant.",
            "not_shipped",
        )
    if status == OrderStatus.CANCELLED:
        return ClaimDecision(None, "Cette commande a été annulée avant expédition.", "not_shipped")
    if status == OrderStatus.RETURNED:
        return ClaimDecision(
            None,
            "Cette commande a déjà été retournée : consultez plutôt l'état de votre remboursement.",
            "already_returned",
        )
    replace = _replace_or_refund(in_stock)
    if kind == ClaimKind.MISSING:
        if status == OrderStatus.DELIVERED and delivered_at is not None:
            if now - delivered_at < timedelta(hours=MISSING_WAIT_HOURS):
                return ClaimDecision(
                    "investigation",
                    "Le transporteur indique que le colis a "
                    "été livré. Il est parfois remis à un voisin, au gardien ou "
                    "en point relais : nous ouvrons une enquête et revenons vers "
                    "vous sous 48 h.",
                )
            return replace
        if status == OrderStatus.DELAYED and expected_delivery is not None:
            if (now.date() - expected_delivery).days >= LOST_AFTER_DAYS:
                return replace
            return ClaimDecision(
                "investigation",
                "Votre colis a pris du retard : nous ouvrons "
                "une enquête auprès du transporteur et revenons vers vous "
                "sous 48 h.",
            )
        when = f" ; livraison prévue le {fr_date(expected_delivery)}" if expected_delivery else ""
        return ClaimDecision(
            None,
            f"Votre colis est en cours d'acheminement{when}. S'il n'arrive pas, revenez vers nous.",
            "in_transit",
        )
    if status != OrderStatus.DELIVERED or delivered_at is None:
        return ClaimDecision(
            None,
            "Le colis n'est pas encore livré : vous pourrez signaler un "
            "article abîmé ou erroné après la livraison.",
            "not_delivered",
        )
    if (now - delivered_at).days > CLAIM_WINDOW_DAYS:
        return ClaimDecision(
            "investigation",
            f"La livraison date de plus de {CLAIM_WINDOW_DAYS} "
            "jours : un conseiller étudie votre demande et vous répond sous 48 h.",
        )
    return replace


def _replace_or_refund(in_stock: bool) -> ClaimDecision:
    if in_stock:
        return ClaimDecision(
            "reship",
            "Nous vous renvoyons le ou les articles concernés sans "
            "frais ; vous recevrez un nouveau numéro de suivi par e-mail.",
        )
    return ClaimDecision(
        "refund",
        "L'article n'est plus en stock : nous vous remboursons sous "
        f"{CANCEL_REFUND_DAYS} jours sur votre moyen de paiement.",
    )
