"""One HTTP call to a shop's API within the time a live conversation allows, for every shop
client (the demo shop's and each platform adapter).

Every call has a timeout and an overall deadline (the shopper must hear back within 2 s,
apology included); idempotent calls are retried a bounded number of times after a lost answer
or a 5xx, writes only when the request surely never left. A platform that rate-limits (429
with Retry-After: Shopify, WooCommerce behind a proxy) is waited for when the wait fits in the
deadline: a 429 means the request was not processed, so even a write is safe to repeat.
Transport failures become `ShopUnavailable`; every other answer is returned for the client to
read, since each platform says "not found" or "refused" its own way. Logs carry method, path
(no query string, where platforms put e-mails), status and latency.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import Timeout

from bot.clients.shop.contract import ShopUnavailable
from bot.settings import Settings

log = logging.getLogger("bot.clients.shop.http")

MIN_ATTEMPT_S = 0.05  # no new attempt with less budget than this left
UNAVAILABLE = "La boutique ne répond pas pour le moment."
_EMAIL = re.compile(r"[^/\s]+(?:@|%40)[^/\s]+", re.IGNORECASE)  # raw or URL-quoted
_backoff = wait_exponential(multiplier=0.1, min=0.05, max=0.4)


@dataclass(frozen=True)
class Reply:
    """A non-5xx answer, for the client to read."""

    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The decoded body; a body that is not JSON means the shop is not answering sensibly."""
        try:
            return json.loads(self.content)
        except ValueError:
            log.error("shop answered invalid JSON (HTTP %s)", self.status)
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None


class _ServerError(Exception):
    """A 5xx answer: worth another try for idempotent calls."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


class _RateLimited(Exception):
    """A 429 from a platform's rate limiter: try again after `wait` seconds."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limited for {wait:.2f} s")
        self.wait = wait


class _OutOfTime(Exception):
    """The overall deadline passed while the answer was still arriving."""


def _never_sent(exc: BaseException) -> bool:
    """True when the request surely did not reach the server: safe to repeat even a POST."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, _RateLimited)):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", None)
        return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
    return False


def _transient(exc: BaseException) -> bool:
    """Connection errors, timeouts, 5xx and rate limits: may succeed on a second try."""
    return isinstance(
        exc,
        (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            _ServerError,
            _RateLimited,
        ),
    )


def _wait(state: RetryCallState) -> float:
    """The platform's Retry-After when it gave one, else a short exponential back-off."""
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, _RateLimited):
        return exc.wait
    return _backoff(state)


def retry_after(value: str | None, default: float = 1.0) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return default


def budget(settings: Settings) -> dict[str, Any]:
    """The time a call may take, as the settings give it: the same for every shop client."""
    return {
        "connect_timeout": settings.shop_connect_timeout,
        "read_timeout": settings.shop_read_timeout,
        "retries": settings.shop_retries,
        "deadline": settings.shop_deadline,
    }


def safe_path(path: str) -> str:
    """The path as logged: no query string, and no e-mail a shopper typed as a number."""
    return _EMAIL.sub("<e-mail>", path.split("?", 1)[0])


class HttpTransport:
    """Calls one shop's API: base address, credentials (headers or a requests auth), budget."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        retries: int = 2,
        deadline: float = 1.5,
        rate_limited_status: int | None = None,
        session: requests.Session | None = None,
    ) -> None:
        """`rate_limited_status` (usually 429) is the platform's "slow down": waited for and
        retried. Left None, that status is returned like any other answer (the demo shop uses
        429 for too many wrong proofs, which no retry should repeat)."""
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.auth = auth
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.retries = retries
        self.deadline = deadline
        self.rate_limited_status = rate_limited_status
        self.session = session or requests.Session()

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        data: bytes | str | None = None,
        idempotent: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """One call within the deadline. `idempotent` (safe to repeat: reads, even sent as
        POST) allows retries after a 5xx or a lost answer."""
        give_up_at = time.monotonic() + self.deadline
        retrying = Retrying(
            stop=stop_after_attempt(self.retries + 1)
            | stop_before_delay(max(self.deadline - MIN_ATTEMPT_S, 0)),
            wait=_wait,
            retry=retry_if_exception(_transient if idempotent else _never_sent),
            reraise=True,
        )
        request = {
            "params": params,
            "json": json_body,
            "data": data,
            "headers": {**self.headers, **(headers or {})},
        }
        try:
            return retrying(self._attempt, method, path, request, give_up_at)
        except _RateLimited:
            log.warning("shop rate limit outlasts the deadline on %s %s", method, safe_path(path))
            raise ShopUnavailable(UNAVAILABLE, code="rate_limited") from None
        except (requests.RequestException, _ServerError, _OutOfTime):
            # `from None`: the cause's text holds the URL (a mistyped number may be an e-mail).
            raise ShopUnavailable(UNAVAILABLE) from None

    def _attempt(self, method: str, path: str, request: dict[str, Any], give_up_at: float) -> Reply:
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
                stream=True,
                timeout=timeout,  # type: ignore[arg-type]
                auth=self.auth,
                **request,
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
                    "shop_path": safe_path(path),
                    "shop_status": outcome,
                    "latency_ms": round((time.monotonic() - started) * 1000),
                },
            )
        if response.status_code >= 500:
            raise _ServerError(response.status_code)
        if response.status_code == self.rate_limited_status:
            raise _RateLimited(retry_after(response.headers.get("Retry-After")))
        return Reply(response.status_code, b"".join(chunks), dict(response.headers))
