"""Which of the shop's terms a message names: promotions, delivery costs, payment.

"Vous faites des promos sur les parfums ?" names a kind of product, but asks about the shop's
promotions: the knowledge base answers it, not the catalogue (actions/products.py). Pure
standard-library functions; the words come from general knowledge of how French shoppers
name these things.
"""

from __future__ import annotations

import re

from bot.core.normalise import fold

_TOPIC_WORDS = {
    "promo": (
        r"promo\w*|code\w* (?:de )?(?:reduc|remise|avantage)\w*|reduc\w*|remise\w*|solde\w*|"
        r"black ?friday|cyber ?monday|bons? (?:d'achat|de reduction)|coupon\w*|parrain\w*|"
        r"fidelite|ventes? privees?|destockage|\d+ ?%"
    ),
    "delivery_cost": (
        r"frais (?:de )?(?:port|livraison|envoi|expedition)|fdp|"
        r"(?:livraison|port|envoi)s? (?:est |sont )?(?:gratuit|offert)\w*"
    ),
    "payment": (
        r"paiement\w*|payer en|paypal|carte bancaire|\bcb\b|virement|cheque\w*|"
        r"en (?:2|3|4|deux|trois|quatre) fois|klarna|apple pay"
    ),
}
_PATTERNS = {
    topic: re.compile(rf"\b(?:{words})", re.IGNORECASE) for topic, words in _TOPIC_WORDS.items()
}


def topics_named(text: str) -> frozenset[str]:
    """The knowledge-base topics whose words the message uses."""
    folded = fold((text or "").replace("\u2019", "'"))
    return frozenset(topic for topic, pattern in _PATTERNS.items() if pattern.search(folded))
