"""`ShopClient` over the shop's HTTP API, with the guarantees a live conversation needs.

Every call has a timeout and an overall deadline (the shopper must hear back within 2 s,
apology included); idempotent calls are retried a bounded number of times, writes only when
the request surely never left; every failure becomes a typed `ShopError` carrying the shop's
own code and French message. Logs carry method, path, status and latency, never an e-mail.
Proofs of ownership (e-mail, postcode) travel only in JSON bodies, never in a URL, where the
shop's access log, a proxy's or a tracing tool would keep them: reads that need a proof
(tracking, refunds) are POSTs the shop treats as reads, hence retried like GETs.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, TypeAdapter, ValidationError
from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import Timeout

from bot.clients.shop.contract import (
    CLIENT_HEADER,
    InvalidRequest,
    NotAllowed,
    OrderNotFound,
    ShopError,
    ShopUnavailable,
    TooManyAttempts,
    VerificationFailed,
)
from bot.clients.shop.models import (
    Address,
    Claim,
    ClaimKind,
    Order,
    Refund,
    ReturnInfo,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
    Verification,
)
from bot.settings import Settings, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

MIN_ATTEMPT_S = 0.05  # no new attempt with less budget than this left
UNAVAILABLE = "La boutique ne répond pas pour le moment."
_EMAIL = re.compile(r"[^/\s]+(?:@|%40)[^/\s]+", re.IGNORECASE)  # raw or URL-quoted


class _ServerError(Exception):
    """A 5xx answer: worth another try for idempotent calls."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class _OutOfTime(Exception):
    """The overall deadline passed while the answer was still arriving."""


def _never_sent(exc: BaseException) -> bool:
    """True when the request surely did not reach the server: safe to repeat even a POST."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", None)
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


def _transient(exc: BaseException) -> bool:
    """Connection errors, timeouts and 5xx: may succeed on a second try."""
    return isinstance(
        exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout, _ServerError)
    )


def _safe_path(path: str) -> str:
    """The path as logged: a shopper may type an e-mail where an order number was expected."""
    return _EMAIL.sub("<e-mail>", path)


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
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.deadline = deadline
        self.session = session or requests.Session()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> HttpShopClient:
        s = settings or get_settings()
        return cls(
            str(s.shop_api_url),
            s.secret("shop_api_key"),
            s.shop_connect_timeout,
            s.shop_read_timeout,
            s.shop_retries,
            s.shop_deadline,
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
    ) -> Claim:
        body = {
            **_proof(proof),
            "kind": ClaimKind(kind).value,
            "description": description,
            "skus": list(skus or []),
        }
        data = self._call("POST", self._order(number, "claims"), body=body, idempotent=False)
        return self._parse(Claim, data)

    def shipping_methods(self) -> list[ShippingMethod]:
        return self._parse(list[ShippingMethod], self._call("GET", "/v1/shipping-methods"))

    def return_policy(self) -> ReturnPolicy:
        return self._parse(ReturnPolicy, self._call("GET", "/v1/return-policy"))

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
    ) -> Any:
        """One API call within the deadline; returns the decoded JSON of a 2xx answer.
        `idempotent` (safe to repeat: reads, even sent as POST) allows retries after a 5xx or
        a lost answer. There are no query parameters, on purpose: nothing personal in URLs."""
        give_up_at = time.monotonic() + self.deadline
        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1)
            | stop_before_delay(max(self.deadline - MIN_ATTEMPT_S, 0)),
            wait=wait_exponential(multiplier=0.1, min=0.05, max=0.4),
            retry=retry_if_exception(_transient if idempotent else _never_sent),
            reraise=True,
        )
        try:
            status, content = retrying(self._attempt, method, path, body, give_up_at, headers)
        except (requests.RequestException, _ServerError, _OutOfTime):
            # `from None`: the cause's text holds the URL (a mistyped number may be an e-mail).
            raise ShopUnavailable(UNAVAILABLE) from None
        if 200 <= status < 300:
            try:
                return json.loads(content)
            except ValueError:
                log.error("shop %s %s answered invalid JSON", method, _safe_path(path))
                raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None
        raise self._error(status, content, method, path)

    def _attempt(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        give_up_at: float,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes]:
        started = time.monotonic()
        remaining = give_up_at - started
        if remaining <= 0:
            raise _OutOfTime()
        # `total` caps connect + read together; the loop below caps a slowly dribbled body.
        # (requests hands a urllib3 Timeout through as is: HTTPAdapter.send accepts one.)
        timeout = Timeout(
            connect=min(self.connect_timeout, remaining),
            read=min(self.read_timeout, remaining),
            total=remaining,
        )
        outcome = "error"
        try:
            response = self.session.request(
                method,
                self.base_url + path,
                json=body,
                stream=True,
                timeout=timeout,  # type: ignore[arg-type]
                headers={
                    "X-API-Key": self.api_key,
                    "Accept": "application/json",
                    **(headers or {}),
                },
            )
            outcome = str(response.status_code)
            with response:
                chunks = []
                for chunk in response.iter_content(16384):
                    chunks.append(chunk)
                    if time.monotonic() > give_up_at:
                        outcome = "deadline"
                        raise _OutOfTime()
        except requests.RequestException as exc:
            outcome = type(exc).__name__
            raise
        finally:
            log.info(  # one line per call; the fields are printed by bot/core/logs.py
                "shop call",
                extra={
                    "shop_method": method,
                    "shop_path": _safe_path(path),
                    "shop_status": outcome,
                    "latency_ms": round((time.monotonic() - started) * 1000),
                },
            )
        if response.status_code >= 500:
            raise _ServerError(response.status_code)
        return response.status_code, b"".join(chunks)

    def _error(self, status: int, content: bytes, method: str, path: str) -> ShopError:
        """The typed error for a non-2xx answer, with the shop's code and French message."""
        code, message = None, ""
        try:
            detail = json.loads(content).get("detail")
            if isinstance(detail, dict):
                code, message = detail.get("code"), str(detail.get("message") or "")
        except (ValueError, AttributeError):
            pass
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
                _safe_path(path),
            )
            return ShopUnavailable(UNAVAILABLE, code="unauthorized")
        if 400 <= status < 500:
            return InvalidRequest(message, code)
        return ShopUnavailable(UNAVAILABLE, code=f"http_{status}")
