"""The catalogue of a WooCommerce shop (issue 18), read from the REST API v3.

Followed (woocommerce-rest-api-docs, wp-api-v3): _products.md (product properties; list
parameters `modified_after`, `dates_are_gmt`, `orderby`, `order`, `status`, `sku`,
`page`/`per_page`) and _product-variations.md (GET /products/<id>/variations: `sku`, `price`,
`stock_quantity`, `stock_status`, `manage_stock`, `attributes[].name/option`). Brands come from
`brands` (WooCommerce 9.6+, the product_brand taxonomy) when the shop has them.

How the feed maps to WordPress:
- A first sync lists published products; a sync since a moment lists every status modified
  since then (`modified_after` + `dates_are_gmt`): `publish` is a product, any other status
  (draft, pending, private) a removal; then the products moved to the bin (`status=trash`,
  which "any" leaves out) are removals too. A product deleted for good (bypassing the bin)
  leaves no trace in the API: the shop should bin products, as WooCommerce does by default.
- Pages are ordered by id, which no edit changes, so a product saved during the read does
  not shift the pages (it is read again by the next sync, since it is newer than `as_of`).
- What WooCommerce does not know gets the model's default: delivery delay (2-4 days), audience
  ("mixte"), restock date (none). A stock not managed but "instock" is UNCOUNTED_STOCK.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.clients.shop import product_feed as feed
from bot.clients.shop.contract import ProductNotFound, ShopUnavailable
from bot.clients.shop.models import Product, ProductPage, ProductVariant
from bot.clients.shop.transport import UNAVAILABLE
from bot.clients.shop.woocommerce.orders import money

if TYPE_CHECKING:
    from bot.clients.shop.woocommerce.client import WooCommerceClient

log = logging.getLogger("bot.clients.shop.woocommerce")
PER_PAGE = 100  # the most WordPress lists in one page
NOT_FOUND = "Ce produit n'existe pas ou n'est plus en vente."


def _stock(data: dict[str, Any], parent: dict[str, Any] | None = None) -> int:
    managed = data.get("manage_stock")
    if managed == "parent" and parent is not None:  # a variation sharing its parent's stock
        return _stock(parent)
    if managed and isinstance(data.get("stock_quantity"), int):
        return max(int(data["stock_quantity"]), 0)
    return feed.UNCOUNTED_STOCK if data.get("stock_status") == "instock" else 0


def sku_of(data: dict[str, Any]) -> str:
    """The product's SKU, or `wc-<id>` when the shop left it empty."""
    return str(data.get("sku") or "").strip() or f"wc-{data.get('id')}"


def to_variants(data: dict[str, Any], variations: list[dict[str, Any]]) -> list[ProductVariant]:
    sku = sku_of(data)
    if data.get("type") != "variable":  # simple or external: the product is its one variant
        return [ProductVariant(sku=sku, price=money(data.get("price")), stock=_stock(data))]
    variants = []
    for row in variations:
        if row.get("status", "publish") != "publish":
            continue
        own = str(row.get("sku") or "").strip()
        options = [(a.get("name", ""), a.get("option", "")) for a in row.get("attributes") or []]
        variants.append(
            ProductVariant(
                # a variation without its own SKU shows its parent's: make it unique
                sku=own if own and own != sku else f"{sku}-{row.get('id')}",
                price=money(row.get("price")),
                stock=_stock(row, data),
                **feed.variant_fields(options),
            )
        )
    return variants


def to_product(data: dict[str, Any], variations: list[dict[str, Any]]) -> Product:
    """A published WooCommerce product (and its variations) as the contract's Product."""
    categories = [c.get("name", "") for c in data.get("categories") or [] if isinstance(c, dict)]
    brands = [b.get("name", "") for b in data.get("brands") or [] if isinstance(b, dict)]
    return Product(
        sku=sku_of(data),
        name=feed.plain_text(data.get("name"), 200),
        brand=brands[0] if brands else "",
        category=categories[0] if categories else "",
        description=feed.plain_text(data.get("short_description") or data.get("description")),
        url=str(data.get("permalink") or ""),
        tags=[t.get("name", "") for t in data.get("tags") or [] if isinstance(t, dict)],
        variants=to_variants(data, variations),
        updated_at=feed.parse_utc(data.get("date_modified_gmt")),
    )


class Catalogue:
    """`products()` and `product()` of the ShopClient contract for a WooCommerce shop."""

    def __init__(self, client: WooCommerceClient) -> None:
        self.client = client

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        if cursor:
            state = feed.decode_cursor(cursor)
        else:
            since = feed.utc_iso(updated_since) if updated_since else None
            state = {"phase": "live", "page": 1, "since": since, "as_of": None}
        params: dict[str, Any] = {
            "page": state.get("page", 1),
            "per_page": PER_PAGE,
            "orderby": "id",
            "order": "asc",
            "status": "trash" if state.get("phase") == "trash" else "any",
        }
        if state.get("since"):
            params.update(modified_after=state["since"], dates_are_gmt="true")
        else:
            params["status"] = "publish"
        reply = self.client._call("GET", "/products", params=params)
        rows = reply.json()
        if not isinstance(rows, list):
            raise self.client._malformed("product list")
        as_of = state.get("as_of") or (
            (feed.server_time(reply.headers) - feed.FEED_OVERLAP).isoformat()
        )
        products, removed = [], []
        for row in rows:
            if not isinstance(row, dict) or row.get("type") == "grouped":
                continue  # a grouped product only lists others: nothing to sell itself
            if row.get("status") == "publish" and state.get("phase") != "trash":
                products.append(self._product(row))
            else:
                removed.append(sku_of(row))
        return ProductPage(
            products=products,
            removed=removed,
            next_cursor=self._next(state, reply.headers, as_of),
            as_of=datetime.fromisoformat(as_of),
        )

    def product(self, sku: str) -> Product:
        wanted = sku.strip()
        if wanted.startswith("wc-") and wanted[3:].isdigit():
            row = self.client._json(self.client._call("GET", f"/products/{wanted[3:]}"))
            rows = [row] if isinstance(row, dict) else []
        else:
            found = self.client._json(
                self.client._call("GET", "/products", params={"sku": wanted, "status": "publish"})
            )
            rows = found if isinstance(found, list) else []
        row = next((r for r in rows if isinstance(r, dict) and sku_of(r) == wanted), None)
        if row is None or row.get("status") != "publish" or row.get("type") == "grouped":
            raise ProductNotFound(NOT_FOUND)
        return self._product(row)

    def _product(self, row: dict[str, Any]) -> Product:
        variations = (
            self.client._pages(f"/products/{row.get('id')}/variations")
            if row.get("type") == "variable"
            else []
        )
        try:
            return to_product(row, variations)
        except (ValidationError, TypeError, ValueError):
            log.error("WooCommerce answered a product this client cannot read")
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None

    @staticmethod
    def _next(state: dict[str, Any], headers: Any, as_of: str) -> str | None:
        try:
            pages = int(headers.get("X-WP-TotalPages") or headers.get("x-wp-totalpages") or 0)
        except ValueError:
            pages = 0
        page = int(state.get("page", 1))
        if page < pages:
            return feed.encode_cursor({**state, "page": page + 1, "as_of": as_of})
        if state.get("since") and state.get("phase") != "trash":  # then the bin
            return feed.encode_cursor({**state, "phase": "trash", "page": 1, "as_of": as_of})
        return None
