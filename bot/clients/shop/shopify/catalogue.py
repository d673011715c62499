"""The catalogue of a Shopify shop (issue 18), over the Admin GraphQL API (scope read_products).

Followed (shopify.dev, Admin GraphQL 2025-07): queries `products` (search syntax
`updated_at:>'…'`, `status:active`; sortKey ID), `product(id:)`, `productVariants` (`sku:`),
`deletionEvents` (subjectTypes PRODUCT, `occurred_at:>'…'`); objects Product (legacyResourceId,
handle, title, vendor, productType, description, tags, status, updatedAt, onlineStoreUrl,
variants) and ProductVariant (sku, price, inventoryQuantity, availableForSale,
selectedOptions); the rate-limit page (a single query may cost at most 1,000 points).

How the feed maps to Shopify:
- A product's SKU here is its numeric id (`legacyResourceId`): Shopify products have no SKU of
  their own (variants do), and a deletion event names the product by id only. `product(sku)`
  takes that id, or any of the product's variant SKUs.
- A first sync lists active products; a sync since a moment lists products updated since then
  in any status (ARCHIVED or DRAFT ones are removals), then the products deleted since then
  (`deletionEvents`). Pages follow Shopify's own cursors, sorted by id.
- Cost: 10 products a page with up to 90 variants each stays under the 1,000-point ceiling of
  one query (a product with more variants shows its first 90).
- What Shopify does not hold gets the model's default: delivery delay (2-4 days), audience
  ("mixte"), restock date (none). A variant whose inventory is not tracked is in stock
  (UNCOUNTED_STOCK) when it is available for sale.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from bot.clients.shop import product_feed as feed
from bot.clients.shop.contract import ProductNotFound, ShopUnavailable
from bot.clients.shop.models import Product, ProductPage, ProductVariant
from bot.clients.shop.shopify.orders import dt, nodes
from bot.clients.shop.transport import UNAVAILABLE

if TYPE_CHECKING:
    from bot.clients.shop.shopify.client import ShopifyClient

log = logging.getLogger(__name__)
PAGE = 10
VARIANTS = 90
NOT_FOUND = "Ce produit n'existe pas ou n'est plus en vente."

PRODUCT_FIELDS = f"""
fragment CatalogueProduct on Product {{
  id legacyResourceId handle title vendor productType description tags status updatedAt
  onlineStoreUrl
  variants(first: {VARIANTS}) {{
    nodes {{
      legacyResourceId sku price inventoryQuantity availableForSale
      selectedOptions {{ name value }}
    }}
  }}
}}
"""
FEED = (
    "query CatalogueFeed($first: Int!, $after: String, $query: String) {"
    " products(first: $first, after: $after, query: $query, sortKey: ID) {"
    " pageInfo { hasNextPage endCursor } nodes { ...CatalogueProduct } } }" + PRODUCT_FIELDS
)
DELETED = (
    "query DeletedProducts($first: Int!, $after: String, $query: String) {"
    " deletionEvents(first: $first, after: $after, query: $query, subjectTypes: [PRODUCT]) {"
    " pageInfo { hasNextPage endCursor } nodes { subjectId occurredAt } } }"
)
ONE = "query OneProduct($id: ID!) { product(id: $id) { ...CatalogueProduct } }" + PRODUCT_FIELDS
BY_SKU = (
    "query ProductBySku($query: String!) {"
    " productVariants(first: 1, query: $query) { nodes { product { ...CatalogueProduct } } } }"
    + PRODUCT_FIELDS
)


def _id(gid: str) -> str:
    """'gid://shopify/Product/8123' -> '8123'."""
    return str(gid).rsplit("/", 1)[-1]


def _stock(variant: dict[str, Any]) -> int:
    quantity = variant.get("inventoryQuantity")
    if isinstance(quantity, int):
        return max(quantity, 0)
    return feed.UNCOUNTED_STOCK if variant.get("availableForSale") else 0


def to_product(raw: dict[str, Any], storefront: str) -> Product:
    """A Shopify product as the contract's Product; `storefront` builds the link of a product
    not published on the Online Store (its handle's page on the shop's domain)."""
    sku = str(raw.get("legacyResourceId") or _id(raw.get("id", "")))
    variants = []
    for variant in nodes(raw.get("variants")):
        options = [(o.get("name", ""), o.get("value", "")) for o in variant["selectedOptions"]]
        variants.append(
            ProductVariant(
                sku=str(variant.get("sku") or "").strip()
                or f"{sku}-{variant.get('legacyResourceId')}",
                price=round(float(variant.get("price") or 0), 2),
                stock=_stock(variant),
                **feed.variant_fields(options),
            )
        )
    return Product(
        sku=sku,
        name=str(raw.get("title") or ""),
        brand=str(raw.get("vendor") or ""),
        category=str(raw.get("productType") or ""),
        description=feed.plain_text(raw.get("description")),
        url=str(raw.get("onlineStoreUrl") or f"{storefront}/products/{raw.get('handle', '')}"),
        tags=[str(t) for t in raw.get("tags") or []],
        variants=variants,
        updated_at=dt(raw.get("updatedAt")),
    )


class Catalogue:
    """`products()` and `product()` of the ShopClient contract for a Shopify shop."""

    def __init__(self, client: ShopifyClient) -> None:
        self.client = client

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        if cursor:
            state = feed.decode_cursor(cursor)
        else:
            state = {
                "phase": "live",
                "after": None,
                "since": feed.utc_iso(updated_since) + "Z" if updated_since else None,
                "as_of": (datetime.now(UTC) - feed.FEED_OVERLAP).isoformat(),
            }
        since = state.get("since")
        products: list[Product] = []
        removed: list[str] = []
        if state.get("phase") == "deleted":
            variables = {
                "first": 100,
                "after": state.get("after"),
                "query": f"occurred_at:>'{since}'",
            }
            found = self.client._graphql(DELETED, variables).get("deletionEvents") or {}
            removed = [_id(n.get("subjectId", "")) for n in nodes(found)]
        else:
            query = f"updated_at:>'{since}'" if since else "status:active"
            variables = {"first": PAGE, "after": state.get("after"), "query": query}
            found = self.client._graphql(FEED, variables).get("products") or {}
            for raw in nodes(found):
                if raw.get("status") == "ACTIVE":
                    products.append(self._product(raw))
                else:  # archived or back to draft: no longer for sale
                    removed.append(str(raw.get("legacyResourceId") or _id(raw.get("id", ""))))
        info = found.get("pageInfo") or {}
        next_state: dict[str, Any] | None = None
        if info.get("hasNextPage"):
            next_state = {**state, "after": info.get("endCursor")}
        elif since and state.get("phase") != "deleted":
            next_state = {**state, "phase": "deleted", "after": None}
        return ProductPage(
            products=products,
            removed=removed,
            next_cursor=feed.encode_cursor(next_state) if next_state else None,
            as_of=datetime.fromisoformat(state["as_of"]),
        )

    def product(self, sku: str) -> Product:
        wanted = sku.strip()
        if wanted.isdigit():
            raw = self.client._graphql(ONE, {"id": f"gid://shopify/Product/{wanted}"}).get(
                "product"
            )
        else:
            quoted = wanted.replace("\\", "\\\\").replace('"', '\\"')
            found = self.client._graphql(BY_SKU, {"query": f'sku:"{quoted}"'})
            matches = nodes(found.get("productVariants"))
            raw = matches[0].get("product") if matches else None
        if not isinstance(raw, dict) or raw.get("status") != "ACTIVE":
            raise ProductNotFound(NOT_FOUND)
        product = self._product(raw)
        if not wanted.isdigit() and all(v.sku != wanted for v in product.variants):
            raise ProductNotFound(NOT_FOUND)  # the search matched loosely
        return product

    def _product(self, raw: dict[str, Any]) -> Product:
        try:
            return to_product(raw, self.client.transport.base_url)
        except (ValidationError, KeyError, TypeError, ValueError):
            log.error("Shopify answered a product this client cannot read")
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None
