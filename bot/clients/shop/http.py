"""`ShopClient` over the demo shop's HTTP API.

Deadline, retries and logging are the transport's (bot/clients/shop/transport.py); this client
turns every failure into a typed `ShopError` carrying the shop's own code and French message.
Proofs of ownership (e-mail, postcode) travel only in JSON bodies, never in a URL, where the
shop's access log, a proxy's or a tracing tool would keep them: reads that need a proof
(tracking, refunds) are POSTs the shop treats as reads, hence retried like GETs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.clients.shop import demo_events
from bot.clients.shop.contract import (
    CLIENT_HEADER,
    InvalidRequest,
    NotAllowed,
    OrderNotFound,
    ProductNotFound,
    ShopError,
    ShopUnavailable,
    TooManyAttempts,
    VerificationFailed,
)
from bot.clients.shop.delays import DelayEvent
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
from bot.clients.shop.transport import UNAVAILABLE, HttpTransport, Reply, budget, safe_path
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")


def _proof(proof: Verification) -> dict[str, str]:
    return {k: v for k, v in (("email", proof.email), ("postcode", proof.postcode)) if v}


class HttpShopClient:
    """The shop API client the actions use (see `bot.clients.shop.contract.ShopClient`)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        retries: int = 2,
        deadline: float = 1.5,
        session: requests.Session | None = None,
    ) -> None:
        self.transport = HttpTransport(
            base_url,
            headers={"X-API-Key": api_key, "Accept": "application/json"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            deadline=deadline,
            session=session,
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> HttpShopClient:
        s = settings or get_settings()
        return cls(
            str(s.shop_api_url),
            s.secret("shop_api_key"),
            **budget(s),
        )

    # -- the ShopClient interface -------------------------------------------------------

    def verify_order(self, number: str, proof: Verification, client: str | None = None) -> Order:
        headers = {CLIENT_HEADER: client} if client else None
        data = self._call(
            "POST",
            self._order(number, "verify"),
            body=_proof(proof),
            idempotent=True,
            headers=headers,
        )
        return self._parse(Order, data)

    def tracking(self, number: str, proof: Verification) -> Tracking:
        data = self._call("POST", self._order(number, "tracking"), body=_proof(proof))
        return self._parse(Tracking, data)

    def cancel_order(self, number: str, proof: Verification) -> Order:
        data = self._call(
            "POST", self._order(number, "cancel"), body=_proof(proof), idempotent=False
        )
        return self._parse(Order, data)

    def change_address(self, number: str, proof: Verification, address: Address) -> Order:
        body = {**_proof(proof), "address": address.model_dump(mode="json")}
        data = self._call("POST", self._order(number, "address"), body=body, idempotent=False)
        return self._parse(Order, data)

    def create_return(
        self, number: str, proof: Verification, skus: list[str], reason: str
    ) -> ReturnInfo:
        body = {**_proof(proof), "skus": list(skus), "reason": reason}
        data = self._call("POST", self._order(number, "returns"), body=body, idempotent=False)
        return self._parse(ReturnInfo, data)

    def refunds(self, number: str, proof: Verification) -> list[Refund]:
        data = self._call("POST", self._order(number, "refunds"), body=_proof(proof))
        return self._parse(list[Refund], data)

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
        photos: list[str] | None = None,
    ) -> Claim:
        body = {
            **_proof(proof),
            "kind": ClaimKind(kind).value,
            "description": description,
            "skus": list(skus or []),
            **({"photos": list(photos)} if photos else {}),
        }
        data = self._call("POST", self._order(number, "claims"), body=body, idempotent=False)
        return self._parse(Claim, data)

    def delay_from_webhook(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> DelayEvent | None:
        """The demo shop's signed "order late" event (bot/clients/shop/demo_events.py)."""
        return demo_events.read(body, headers, secret)

    def shipping_methods(self) -> list[ShippingMethod]:
        return self._parse(list[ShippingMethod], self._call("GET", "/v1/shipping-methods"))

    def return_policy(self) -> ReturnPolicy:
        return self._parse(ReturnPolicy, self._call("GET", "/v1/return-policy"))

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        """One page of the catalogue feed (the demo shop's `GET /v1/products`)."""
        # The one call with a query string: a date and an opaque cursor, nothing personal,
        # so `_call`'s rule (no query strings) has no reason to hold here. requests encodes
        # them, the "+" of a UTC offset included.
        params = {
            "updated_since": updated_since.isoformat() if updated_since else None,
            "cursor": cursor,
        }
        data = self._call("GET", "/v1/products", params={k: v for k, v in params.items() if v})
        return self._parse(ProductPage, data)

    def product(self, sku: str) -> Product:
        """One product, fresh; `ProductNotFound` when the shop does not (or no longer) sell it."""
        path = f"/v1/products/{quote(sku.strip(), safe='')}"
        return self._parse(Product, self._call("GET", path))

    # -- plumbing -----------------------------------------------------------------------

    @staticmethod
    def _order(number: str, action: str) -> str:
        return f"/v1/orders/{quote(number.strip(), safe='')}/{action}"

    @staticmethod
    def _parse(kind: type[T] | Any, data: Any) -> T:
        try:
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                return kind.model_validate(data)  # type: ignore[return-value]
            return TypeAdapter(kind).validate_python(data)
        except ValidationError:
            log.error("shop answered a body that does not match %s", kind)
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        idempotent: bool = True,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        """One API call within the deadline; returns the decoded JSON of a 2xx answer.
        No query parameters, on purpose (nothing personal in URLs), except the catalogue's
        `params` (see `products`)."""
        reply = self.transport.call(
            method, path, params=params, json_body=body, idempotent=idempotent, headers=headers
        )
        if reply.ok:
            return reply.json()
        raise self._error(reply, method, path)

    def _error(self, reply: Reply, method: str, path: str) -> ShopError:
        """The typed error for a non-2xx answer, with the shop's code and French message."""
        status, code, message = reply.status, None, ""
        try:
            detail = json.loads(reply.content).get("detail")
            if isinstance(detail, dict):
                code, message = detail.get("code"), str(detail.get("message") or "")
        except (ValueError, AttributeError):
            pass
        if status == 404 and (code == ProductNotFound.code or path.startswith("/v1/products/")):
            return ProductNotFound(message, code)
        if status == 404:
            return OrderNotFound(message, code)
        if status == 403:
            return VerificationFailed(message, code)
        if status == 429:  # too many wrong proofs for this order from this client
            return TooManyAttempts(message, code)
        if status == 409:
            return NotAllowed(message, code)
        if status == 401:
            log.error(
                "shop rejected the API key on %s %s: check COMPTOIR_SHOP_API_KEY",
                method,
                safe_path(path),
            )
            return ShopUnavailable(UNAVAILABLE, code="unauthorized")
        if 400 <= status < 500:
            return InvalidRequest(message, code)
        return ShopUnavailable(UNAVAILABLE, code=f"http_{status}")
