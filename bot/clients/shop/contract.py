"""What the assistant needs from a shop, whatever platform runs it.

The actions depend on this interface only; `bot.clients.shop.http.HttpShopClient` implements it
for the demo shop's HTTP API, and an adapter for a real platform implements the same methods.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.clients.shop.models import (
    Address,
    Claim,
    ClaimKind,
    Order,
    Product,
    ProductPage,
    Refund,
    ReturnInfo,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
    Verification,
)


class ShopError(Exception):
    """Base of every error a shop client raises; `code` is stable, the message is French."""

    code = "shop_error"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message or self.code)
        if code:
            self.code = code


class OrderNotFound(ShopError):
    code = "order_not_found"


class VerificationFailed(ShopError):
    """The e-mail or postcode does not match the order; says nothing else about it."""

    code = "verification_failed"


class TooManyAttempts(ShopError):
    """The shop refuses more proofs for this order from this client for a while."""

    code = "too_many_attempts"


class NotAllowed(ShopError):
    """The shop's own rules forbid the operation (e.g. cancelling a shipped order)."""

    code = "not_allowed"


class NotSupported(ShopError):
    """The shop's platform offers no way to do this through its API (e.g. a return on
    PrestaShop): a person of the shop does it, so the bot says so and hands over."""

    code = "not_supported"

    def __init__(self, message: str = "", code: str | None = None) -> None:
        super().__init__(message or NOT_SUPPORTED, code)


NOT_SUPPORTED = "Pour cette boutique, c'est un conseiller qui s'en charge."


class ProductNotFound(ShopError):
    code = "product_not_found"


class InvalidRequest(ShopError):
    code = "invalid_request"


class ShopUnavailable(ShopError):
    """The shop API is down, too slow or answered nonsense: apologise and offer a human."""

    code = "shop_unavailable"


# Header naming who asks (an opaque hash of the shopper's conversation or address), so that a
# shop can throttle wrong proofs per client instead of locking the order for its owner.
CLIENT_HEADER = "X-Comptoir-Client"


class ShopClient(Protocol):
    def verify_order(
        self, number: str, proof: Verification, client: str | None = None
    ) -> Order: ...

    def tracking(self, number: str, proof: Verification) -> Tracking: ...

    def cancel_order(self, number: str, proof: Verification) -> Order: ...

    def change_address(self, number: str, proof: Verification, address: Address) -> Order: ...

    def create_return(
        self, number: str, proof: Verification, skus: list[str], reason: str
    ) -> ReturnInfo: ...

    def refunds(self, number: str, proof: Verification) -> list[Refund]: ...

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
        photos: list[str] | None = None,  # links to the shopper's photos (issue 19)
    ) -> Claim: ...

    def shipping_methods(self) -> list[ShippingMethod]: ...

    def return_policy(self) -> ReturnPolicy: ...

    # The catalogue (issue 18). Comptoir searches the catalogue by meaning with its own index
    # (bot/catalogue), so the shop only publishes it: a feed of what changed since a moment,
    # paged, and one product's details, fresh (price, stock) when it is shown to a shopper.
    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage: ...

    def product(self, sku: str) -> Product: ...
