"""`WooCommerceClient`: the ShopClient contract and the delay webhook over the WooCommerce
REST API v3 (see the package's docstring for the documents followed and the conventions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.clients.shop import platform
from bot.clients.shop.contract import (
    InvalidRequest,
    NotAllowed,
    NotSupported,
    OrderNotFound,
    ProductNotFound,
    ShopError,
    ShopUnavailable,
    VerificationFailed,
)
from bot.clients.shop.delays import BadSignature, DelayEvent
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
from bot.clients.shop.woocommerce.catalogue import NOT_FOUND as PRODUCT_NOT_FOUND
from bot.clients.shop.woocommerce.catalogue import Catalogue
from bot.clients.shop.woocommerce.orders import (
    ADDRESS_CANCELLED,
    ADDRESS_LOCKED,
    REFUSED,
    Parsed,
    S,
    cancel_blocker,
    money,
    parse_datetime,
    shop_now,
    to_order,
    to_shipping_methods,
)
from bot.settings import Settings, get_settings

log = logging.getLogger("bot.clients.shop.woocommerce")
API_PATH = "/wp-json/wc/v3"


class WooCommerceClient:
    """The WooCommerce shop as the actions see it (see `bot.clients.shop.contract.ShopClient`),
    and the reader of its `order.updated` webhook (`bot.clients.shop.delays.WebhookDelays`)."""

    PAGE_SIZE = 100  # the most WordPress lists in one page

    def __init__(
        self,
        base_url: str,
        key: str,
        secret: str,
        settings: Settings | None = None,
        *,
        connect_timeout: float = 0.5,
        read_timeout: float = 1.0,
        retries: int = 2,
        deadline: float = 1.5,
    ) -> None:
        self.settings = settings or get_settings()
        self.withdrawal_days = self.settings.shop_withdrawal_days
        root = base_url.rstrip("/")
        if not root.endswith(API_PATH):
            root += API_PATH
        parts = urlsplit(root)
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            log.warning(
                "COMPTOIR_WOOCOMMERCE_URL is not https: WooCommerce accepts its API keys as "
                "Basic auth over HTTPS only"
            )
        self.transport = HttpTransport(
            root,
            headers={"Accept": "application/json"},
            auth=(key, secret),
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries=retries,
            deadline=deadline,
            rate_limited_status=429,
        )

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WooCommerceClient:
        s = settings or get_settings()
        return cls(
            s.woocommerce_url,
            s.woocommerce_key,
            s.woocommerce_secret,
            s,
            **budget(s),
        )

    # -- the ShopClient interface -------------------------------------------------------

    def verify_order(self, number: str, proof: Verification, client: str | None = None) -> Order:
        """The order, once the proof matches it. WooCommerce gives any order to the key
        holder, so the proof is checked here; `client` has no meaning for WooCommerce."""
        return self._order(self._verified(number, proof))

    def tracking(self, number: str, proof: Verification) -> Tracking:
        return self.verify_order(number, proof).tracking

    def cancel_order(self, number: str, proof: Verification) -> Order:
        """Cancelled through PUT status=cancelled while not shipped. Repeating the PUT after a
        lost answer changes nothing (no second transition), hence retried like a read.
        A paid order's money is refunded by the shop: WooCommerce does not do it on cancel."""
        data = self._verified(number, proof)
        order = self._order(data)
        if not order.cancellable:
            raise NotAllowed(cancel_blocker(order.status, self.withdrawal_days), "not_cancellable")
        updated = self._json(
            self._call("PUT", f"/orders/{data['id']}", body={"status": "cancelled"})
        )
        return self._order(updated)

    def change_address(self, number: str, proof: Verification, address: Address) -> Order:
        data = self._verified(number, proof)
        order = self._order(data)
        if not order.address_changeable:
            blocker = ADDRESS_CANCELLED if order.status == S.CANCELLED else ADDRESS_LOCKED
            raise NotAllowed(blocker, "address_locked")
        first, _, last = address.name.strip().partition(" ")
        shipping = {
            "first_name": first,
            "last_name": last,
            "address_1": address.line1,
            "address_2": address.line2 or "",
            "postcode": address.postcode,
            "city": address.city,
            "country": address.country,
        }
        body = {"shipping": shipping}
        return self._order(self._json(self._call("PUT", f"/orders/{data['id']}", body=body)))

    def create_return(
        self, number: str, proof: Verification, skus: list[str], reason: str
    ) -> ReturnInfo:
        """WooCommerce core has no return requests: a person of the shop takes it over."""
        raise NotSupported()

    def refunds(self, number: str, proof: Verification) -> list[Refund]:
        """Every refund of the order (all pages). A refund the payment gateway made is done;
        one the shop recorded by hand is counted as under way until the refund delay."""
        data = self._verified(number, proof)
        delay = self.settings.shop_refund_delay_days
        refunds = []
        for row in self._pages(f"/orders/{data['id']}/refunds"):
            created = parse_datetime(row.get("date_created")) or shop_now()
            done = bool(row.get("refunded_payment"))
            refunds.append(
                Refund(
                    reference=f"R{row.get('id')}",
                    amount=abs(money(row.get("amount"))),
                    status="refunded" if done else "processing",
                    reason=str(row.get("reason") or ""),
                    created_at=created,
                    expected_by=None if done else created.date() + timedelta(days=delay),
                    refunded_at=created if done else None,
                )
            )
        return refunds

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
        photos: list[str] | None = None,
    ) -> Claim:
        """WooCommerce core has no claims: a person of the shop handles damage and loss."""
        raise NotSupported()

    def shipping_methods(self) -> list[ShippingMethod]:
        """The enabled methods of the zone serving France (else the "rest of the world" zone
        0). A free_shipping method with a minimum amount becomes the others' `free_above`."""
        zones = self._json(self._call("GET", "/shipping/zones"))
        if not isinstance(zones, list):
            raise self._malformed("shipping zones")
        zone_id = 0
        for zone in sorted(zones, key=lambda z: int(z.get("order") or 0)):
            zid = int(zone.get("id") or 0)
            if zid == 0:
                continue
            locations = self._json(self._call("GET", f"/shipping/zones/{zid}/locations"))
            if any(
                (loc.get("type") == "country" and loc.get("code") == "FR")
                or (loc.get("type") == "continent" and loc.get("code") == "EU")
                for loc in (locations if isinstance(locations, list) else [])
                if isinstance(loc, dict)
            ):
                zone_id = zid
                break
        methods = self._json(self._call("GET", f"/shipping/zones/{zone_id}/methods"))
        return to_shipping_methods(methods if isinstance(methods, list) else [])

    def return_policy(self) -> ReturnPolicy:
        return platform.return_policy(self.settings)

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        """The catalogue feed (woocommerce/catalogue.py says how it maps to WordPress)."""
        return Catalogue(self).products(updated_since, cursor)

    def product(self, sku: str) -> Product:
        return Catalogue(self).product(sku)

    # -- the delay webhook --------------------------------------------------------------

    def delay_from_webhook(
        self, body: bytes, headers: Mapping[str, str], secret: str
    ) -> DelayEvent | None:
        """The delay an `order.updated` delivery announces (meta `comptoir_delayed_until`
        set), else None. The event id is the order and its new date, not the delivery id:
        WooCommerce makes a new delivery id for every update of the order, and the same
        delay must make one notice. The unsigned ping WooCommerce sends when the webhook is
        saved (body "webhook_id=<n>") announces nothing and is answered None."""
        lowered = {k.lower(): v for k, v in headers.items()}
        signature = (lowered.get("x-wc-webhook-signature") or "").strip()
        if not signature:
            if re.fullmatch(rb"webhook_id=\d+", body.strip()):
                return None
            raise BadSignature("no X-WC-Webhook-Signature")
        expected = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest())
        if not secret or not hmac.compare_digest(expected, signature.encode()):
            raise BadSignature("X-WC-Webhook-Signature does not match the body")
        topic = lowered.get("x-wc-webhook-topic", "order.updated")
        if topic not in ("order.updated", "order.created"):
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict) or "id" not in data:
            return None
        try:
            parsed = Parsed(data)
        except OrderNotFound:
            return None
        if not parsed.delayed:
            return None
        when = parsed.new_date.isoformat() if parsed.new_date else "sans-date"
        return DelayEvent(
            order_number=str(data.get("number") or data["id"]),
            expected_delivery=parsed.new_date,
            event_id=f"woocommerce:{data['id']}:{when}",
        )

    # -- reading orders -----------------------------------------------------------------

    def _order(self, data: dict[str, Any]) -> Order:
        return to_order(data, self.withdrawal_days)

    def _verified(self, number: str, proof: Verification) -> dict[str, Any]:
        """The order's JSON, once the proof matches its e-mail or postcodes. Fetched by id:
        the shopper's e-mail never goes into a URL."""
        order_id = number.strip().lstrip("#").strip()
        if not order_id.isdigit():
            raise OrderNotFound("Je ne trouve pas de commande à ce numéro.")
        data = self._json(self._call("GET", f"/orders/{order_id}"))
        if not isinstance(data, dict) or "id" not in data:
            raise self._malformed("order")
        Parsed(data)  # drafts and trashed orders are not found, even proven
        billing = data.get("billing") or {}
        shipping = data.get("shipping") or {}
        if not platform.proof_matches(
            proof, [billing.get("email")], [shipping.get("postcode"), billing.get("postcode")]
        ):
            raise VerificationFailed(
                "Ces informations ne correspondent pas à cette commande.", "verification_failed"
            )
        return data

    # -- plumbing -----------------------------------------------------------------------

    def _pages(self, path: str) -> list[dict[str, Any]]:
        """Every row of a paginated list, following X-WP-TotalPages."""
        rows: list[dict[str, Any]] = []
        page, pages = 1, 1
        while page <= pages:
            reply = self._call("GET", path, params={"page": page, "per_page": self.PAGE_SIZE})
            batch = self._json(reply)
            if not isinstance(batch, list):
                raise self._malformed("list")
            rows.extend(r for r in batch if isinstance(r, dict))
            try:
                pages = int(
                    reply.headers.get("X-WP-TotalPages")
                    or reply.headers.get("x-wp-totalpages")
                    or 1
                )
            except ValueError:
                pages = 1
            page += 1
        return rows

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Reply:
        """One API call within the deadline; a non-2xx answer becomes a typed error. Every
        call is retried after a 5xx: reads, and PUTs that set a value (repeating them lands
        on the same state)."""
        reply = self.transport.call(method, path, params=params, json_body=body, idempotent=True)
        if reply.ok:
            return reply
        raise self._error(reply, method, path)

    @staticmethod
    def _json(reply: Reply) -> Any:
        return reply.json()

    @staticmethod
    def _malformed(what: str) -> ShopUnavailable:
        log.error("WooCommerce answered a %s that cannot be read", what)
        return ShopUnavailable(UNAVAILABLE, code="malformed_response")

    @staticmethod
    def _error(reply: Reply, method: str, path: str) -> ShopError:
        """WooCommerce's {"code", "message", "data": {"status"}} as a typed error."""
        code = ""
        try:
            code = str(json.loads(reply.content).get("code") or "")
        except (ValueError, AttributeError):
            pass
        where = f"{method} {safe_path(path)}"
        if reply.status in (401, 403):
            log.error(
                "WooCommerce refused the API key on %s (%s): check COMPTOIR_WOOCOMMERCE_KEY and "
                "COMPTOIR_WOOCOMMERCE_SECRET, and that the key has Read/Write permissions",
                where,
                code or reply.status,
            )
            return ShopUnavailable(UNAVAILABLE, code="unauthorized")
        if reply.status == 404 and path.startswith("/products/"):
            return ProductNotFound(PRODUCT_NOT_FOUND, "product_not_found")
        if reply.status == 404 and path.startswith("/orders/"):
            return OrderNotFound("Je ne trouve pas de commande à ce numéro.", "order_not_found")
        if reply.status == 404:  # a shipping zone gone between two calls, a plugin missing
            log.error("WooCommerce answered 404 on %s (%s)", where, code)
            return ShopUnavailable(UNAVAILABLE, code="http_404")
        if 400 <= reply.status < 500:
            log.warning("WooCommerce refused %s: HTTP %s %s", where, reply.status, code)
            return InvalidRequest(REFUSED, code or f"http_{reply.status}")
        log.error("WooCommerce answered HTTP %s on %s", reply.status, where)
        return ShopUnavailable(UNAVAILABLE, code=f"http_{reply.status}")
