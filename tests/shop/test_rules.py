"""Unit tests of the shop's pure rules: what the API enforces and the Order flags announce."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.clients.shop.models import ClaimKind, OrderStatus
from bot.demo_shop import rules

S = OrderStatus
NOW = datetime(2026, 5, 20, 15, 0)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("CM482913", "CM482913"),
        ("cm482913", "CM482913"),
        ("482913", "CM482913"),
        (" CM 482 913 ", "CM482913"),
        ("#cm-482913", "CM482913"),
        ("CM48291", None),
        ("AB482913", None),
        ("CM4829130", None),
        ("", None),
        ("jean@exemple.fr", None),
    ],
)
def test_order_numbers_are_normalised(raw: str, expected: str | None) -> None:
    assert rules.normalise_order_number(raw) == expected


def test_proof_email_is_trimmed_and_case_insensitive() -> None:
    assert rules.proof_matches("  Jean.Dupont@Exemple.FR ", None, "jean.dupont@exemple.fr", set())
    assert not rules.proof_matches("jean.dupon@exemple.fr", None, "jean.dupont@exemple.fr", set())


def test_proof_postcode_must_match_exactly() -> None:
    assert rules.proof_matches(None, "75011", "a@b.fr", {"75011", "69003"})
    assert rules.proof_matches(None, "69003", "a@b.fr", {"75011", "69003"})
    assert not rules.proof_matches(None, "7501", "a@b.fr", {"75011"})
    assert not rules.proof_matches(None, "75012", "a@b.fr", {"75011"})


def test_proof_needs_something_and_every_proof_given_must_match() -> None:
    assert not rules.proof_matches(None, None, "a@b.fr", {"75011"})
    assert not rules.proof_matches("  ", "", "a@b.fr", {"75011"})
    assert not rules.proof_matches("a@b.fr", "99999", "a@b.fr", {"75011"})
    assert rules.proof_matches("a@b.fr", "75011", "a@b.fr", {"75011"})


@pytest.mark.parametrize(
    "status, cancellable",
    [
        (S.PAID, True),
        (S.PREPARING, True),
        (S.SHIPPED, False),
        (S.OUT_FOR_DELIVERY, False),
        (S.DELAYED, False),
        (S.DELIVERED, False),
        (S.CANCELLED, False),
        (S.RETURNED, False),
    ],
)
def test_only_orders_not_yet_shipped_can_be_cancelled(status: S, cancellable: bool) -> None:
    assert (rules.cancel_blocker(status) is None) is cancellable
    assert (rules.address_blocker(status) is None) is cancellable


def test_cancel_refusal_says_why_in_french() -> None:
    assert "expédiée" in (rules.cancel_blocker(S.SHIPPED) or "")
    assert "déjà annulée" in (rules.cancel_blocker(S.CANCELLED) or "")
    assert "parti" in (rules.address_blocker(S.DELAYED) or "")


def test_return_deadline_is_14_days_after_delivery() -> None:
    assert rules.return_deadline(None) is None
    assert rules.return_deadline(datetime(2026, 5, 1, 18, 30)) == date(2026, 5, 15)


def test_order_return_window() -> None:
    delivered = datetime(2026, 5, 1, 10, 0)
    assert rules.order_return_blocker(S.DELIVERED, delivered, date(2026, 5, 15)) is None
    late = rules.order_return_blocker(S.DELIVERED, delivered, date(2026, 5, 16))
    assert late is not None
    code, message = late
    assert code == "not_returnable" and "15/05/2026" in message
    assert rules.order_return_blocker(S.SHIPPED, None, date(2026, 5, 2))[0] == "not_delivered"  # type: ignore[index]
    assert rules.order_return_blocker(S.CANCELLED, None, date(2026, 5, 2))[0] == "not_returnable"  # type: ignore[index]
    assert rules.order_return_blocker(S.RETURNED, delivered, date(2026, 5, 3)) is None


@pytest.mark.parametrize(
    "category, opened, returned, blocked_by",
    [
        ("mode", False, False, None),
        ("high-tech", False, False, None),
        ("cosmétiques", False, False, None),
        ("cosmétiques", True, False, "hygiène"),
        ("parfum", True, False, "hygiène"),
        ("lingerie", False, False, "hygiène"),
        ("personnalisé", False, False, "personnalisé"),
        ("cartes cadeaux", False, False, "cartes cadeaux"),
        ("mode", False, True, "déjà fait l'objet d'un retour"),
    ],
)
def test_item_return_rules(
    category: str, opened: bool, returned: bool, blocked_by: str | None
) -> None:
    reason = rules.item_return_blocker(category, opened, returned)
    if blocked_by is None:
        assert reason is None
    else:
        assert reason is not None and blocked_by in reason


def test_item_blocker_now_puts_article_rules_before_order_rules() -> None:
    late = date(2026, 6, 30)
    delivered = datetime(2026, 5, 1)
    assert "hygiène" in (
        rules.item_blocker_now("lingerie", False, False, S.DELIVERED, delivered, late) or ""
    )
    assert "délai" in (
        rules.item_blocker_now("mode", False, False, S.DELIVERED, delivered, late) or ""
    )
    assert (
        rules.item_blocker_now("mode", False, False, S.DELIVERED, delivered, date(2026, 5, 3))
        is None
    )


def _claim(
    kind: ClaimKind,
    status: S,
    delivered_ago: timedelta | None = None,
    expected: date | None = None,
    in_stock: bool = True,
) -> rules.ClaimDecision:
    delivered = NOW - delivered_ago if delivered_ago is not None else None
    return rules.claim_decision(kind, status, delivered, expected, NOW, in_stock)


def test_damaged_or_wrong_item_is_reshipped_if_in_stock_else_refunded() -> None:
    for kind in (ClaimKind.DAMAGED, ClaimKind.WRONG_ITEM):
        assert _claim(kind, S.DELIVERED, timedelta(days=2)).resolution == "reship"
        assert _claim(kind, S.DELIVERED, timedelta(days=2), in_stock=False).resolution == "refund"
        assert _claim(kind, S.DELIVERED, timedelta(days=45)).resolution == "investigation"
        assert _claim(kind, S.SHIPPED).code == "not_delivered"


def test_missing_parcel_marked_delivered() -> None:
    assert _claim(ClaimKind.MISSING, S.DELIVERED, timedelta(hours=20)).resolution == "investigation"
    assert _claim(ClaimKind.MISSING, S.DELIVERED, timedelta(hours=50)).resolution == "reship"
    assert (
        _claim(ClaimKind.MISSING, S.DELIVERED, timedelta(hours=50), in_stock=False).resolution
        == "refund"
    )


def test_missing_parcel_not_delivered_yet() -> None:
    late = NOW.date() - timedelta(days=rules.LOST_AFTER_DAYS)
    assert _claim(ClaimKind.MISSING, S.DELAYED, expected=late).resolution == "reship"
    assert (
        _claim(ClaimKind.MISSING, S.DELAYED, expected=NOW.date() - timedelta(days=2)).resolution
        == "investigation"
    )
    refusal = _claim(ClaimKind.MISSING, S.SHIPPED, expected=NOW.date() + timedelta(days=1))
    assert refusal.code == "in_transit" and "21/05/2026" in refusal.message


@pytest.mark.parametrize(
    "status, code",
    [
        (S.PAID, "not_shipped"),
        (S.PREPARING, "not_shipped"),
        (S.CANCELLED, "not_shipped"),
        (S.RETURNED, "already_returned"),
    ],
)
def test_claims_are_refused_before_shipping_and_after_a_return(status: S, code: str) -> None:
    decision = _claim(ClaimKind.DAMAGED, status, timedelta(days=1))
    assert decision.resolution is None and decision.code == code and decision.message


def test_shipping_methods_and_costs() -> None:
    codes = {m.code: m for m in rules.SHIPPING_METHODS}
    home = codes["colissimo_domicile"]
    assert home.price == 4.90 and home.free_above == 60
    assert codes["mondial_relay"].price == 3.90 and codes["mondial_relay"].max_days == 5
    assert codes["chronopost_express"].price == 9.90 and codes["chronopost_express"].max_days == 1
    assert codes["dpd_predict"].price == 5.90
    assert rules.shipping_cost("colissimo_domicile", 59.99) == 4.90
    assert rules.shipping_cost("colissimo_domicile", 60.00) == 0.0
    assert rules.shipping_cost("chronopost_express", 500.0) == 9.90


def test_return_policy_states_the_rules() -> None:
    policy = rules.RETURN_POLICY
    assert policy.withdrawal_days == 14 and policy.refund_delay_days == 14
    text = " ".join(policy.rules + policy.non_returnable_categories).lower()
    for word in (
        "étiquettes",
        "cosmétiques",
        "parfums",
        "maillots",
        "personnalisés",
        "cartes cadeaux",
        "gratuite",
    ):
        assert word in text
