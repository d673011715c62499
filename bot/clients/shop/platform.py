"""What every platform adapter does the same way: check a proof of ownership against the
order's own e-mail and postcodes, and state the policy a platform's API does not carry.

The demo shop checks proofs itself; a real platform's API gives the order to whoever holds
the API key, so the adapter compares, in constant time, and says nothing about which part
did not match.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from bot.clients.shop.models import ReturnPolicy, Verification
from bot.core.patterns import normalise_email, normalise_postcode
from bot.settings import Settings


def _same(given: str, known: str) -> bool:
    return hmac.compare_digest(given.encode(), known.encode())


def proof_matches(
    proof: Verification, emails: Iterable[str | None], postcodes: Iterable[str | None]
) -> bool:
    """True when the shopper's e-mail is one of the order's (billing, customer), or their
    postcode one of its postcodes (delivery, billing). Case and spaces do not count."""
    if proof.email:
        given = normalise_email(proof.email) or ""
        known = [normalise_email(e or "") for e in emails]
        return bool(given) and any(k and _same(given, k) for k in known)
    if proof.postcode:
        given = normalise_postcode(proof.postcode) or ""
        known = [normalise_postcode((p or "").replace(" ", "")) for p in postcodes]
        return bool(given) and any(k and _same(given, k) for k in known)
    return False


def return_policy(settings: Settings) -> ReturnPolicy:
    """The shop's return policy as the settings state it (platforms have no API for it)."""
    days, refund = settings.shop_withdrawal_days, settings.shop_refund_delay_days
    return ReturnPolicy(
        withdrawal_days=days,
        refund_delay_days=refund,
        rules=[
            f"Vous disposez de {days} jours après la livraison pour exercer votre droit de "
            "rétractation, sans avoir à vous justifier.",
            "Les articles doivent être renvoyés complets, en bon état, dans leur emballage "
            "d'origine si possible.",
            f"Le remboursement est effectué sous {refund} jours après réception du retour, sur "
            "le moyen de paiement utilisé pour la commande.",
        ],
        non_returnable_categories=[],
    )
