"""The Shopify stand-in's products (issue 18): the schema subset and the data behind the
queries `products`, `product`, `productVariants` and `deletionEvents`.

Written from shopify.dev (Admin GraphQL 2025-07): objects Product, ProductVariant,
SelectedOption, DeletionEvent; enums ProductStatus, ProductSortKeys, ProductVariantSortKeys,
DeletionEventSubjectType, DeletionEventSortKeys; scalars Money and HTML; the search syntax
page for `updated_at:>'…'`, `status:active`, `sku:…`, `occurred_at:>'…'` (terms joined by
spaces or AND). A search term the stand-in does not know is an error, not a silent match.

Products: a wrap dress in three sizes (one sold out), a hand cream in 30 ml / 75 ml, a carafe
(one variant, "Default Title"), a vase sold out, a hand-made basket whose inventory is not
tracked, and a draft. Test hooks on `app.state.catalogue`: `update(id, **fields)` (bumps
updatedAt, as any edit does) and `delete(id)` (leaves a DeletionEvent).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import GraphQLError

SDL = """
scalar Money
scalar HTML
enum ProductStatus { ACTIVE ARCHIVED DRAFT }
enum ProductSortKeys {
  CREATED_AT ID INVENTORY_TOTAL PRODUCT_TYPE PUBLISHED_AT RELEVANCE TITLE UPDATED_AT VENDOR
}
enum ProductVariantSortKeys {
  FULL_TITLE ID INVENTORY_LEVELS_AVAILABLE INVENTORY_MANAGEMENT INVENTORY_POLICY
  INVENTORY_QUANTITY NAME POPULAR POSITION RELEVANCE SKU TITLE
}
enum ProductVariantInventoryPolicy { CONTINUE DENY }
enum DeletionEventSubjectType { COLLECTION PRODUCT }
enum DeletionEventSortKeys { CREATED_AT ID RELEVANCE }

type SelectedOption { name: String! value: String! }
type ProductVariant {
  id: ID!
  legacyResourceId: UnsignedInt64!
  title: String!
  displayName: String!
  sku: String
  price: Money!
  compareAtPrice: Money
  inventoryQuantity: Int
  inventoryPolicy: ProductVariantInventoryPolicy!
  availableForSale: Boolean!
  selectedOptions: [SelectedOption!]!
  product: Product!
}
type ProductVariantEdge { cursor: String! node: ProductVariant! }
type ProductVariantConnection {
  edges: [ProductVariantEdge!]! nodes: [ProductVariant!]! pageInfo: PageInfo!
}

extend type Product {
  legacyResourceId: UnsignedInt64!
  handle: String!
  vendor: String!
  description(truncateAt: Int): String!
  descriptionHtml: HTML!
  tags: [String!]!
  status: ProductStatus!
  createdAt: DateTime!
  updatedAt: DateTime!
  onlineStoreUrl: URL
  totalInventory: Int!
  variants(first: Int, after: String, last: Int, before: String,
           reverse: Boolean = false): ProductVariantConnection!
}
type ProductEdge { cursor: String! node: Product! }
type ProductConnection { edges: [ProductEdge!]! nodes: [Product!]! pageInfo: PageInfo! }

type DeletionEvent {
  occurredAt: DateTime!
  subjectId: ID!
  subjectType: DeletionEventSubjectType!
}
type DeletionEventEdge { cursor: String! node: DeletionEvent! }
type DeletionEventConnection {
  edges: [DeletionEventEdge!]! nodes: [DeletionEvent!]! pageInfo: PageInfo!
}

extend type QueryRoot {
  product(id: ID!): Product
  products(first: Int, after: String, last: Int, before: String, query: String,
           reverse: Boolean = false, sortKey: ProductSortKeys = ID,
           savedSearchId: ID): ProductConnection!
  productVariants(first: Int, after: String, last: Int, before: String, query: String,
                  reverse: Boolean = false,
                  sortKey: ProductVariantSortKeys = ID): ProductVariantConnection!
  deletionEvents(first: Int, after: String, last: Int, before: String, query: String,
                 reverse: Boolean = false, sortKey: DeletionEventSortKeys = ID,
                 subjectTypes: [DeletionEventSubjectType!]): DeletionEventConnection!
}
"""

SHOP = "https://maison-lune.exemple.fr"
_TERM = re.compile(r"""(\w+):(>=|<=|>|<)?(?:'([^']*)'|"([^"]*)"|(\S+))""")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _when(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"Invalid date in search query: {value}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def search_terms(query: str | None, known: set[str]) -> list[tuple[str, str, str]]:
    """(field, operator, value) of a search query; unknown fields are refused."""
    terms = []
    rest = _TERM.sub("", query or "").replace("AND", "").strip()
    if rest:
        raise GraphQLError(f"Unsupported search query in the stand-in: {query}")
    for match in _TERM.finditer(query or ""):
        field, operator = match.group(1), match.group(2) or ":"
        value = next(g for g in match.groups()[2:] if g is not None)
        if field not in known:
            raise GraphQLError(f"Unsupported search field in the stand-in: {field}")
        terms.append((field, operator, value))
    return terms


def _compare(left: datetime, operator: str, right: datetime) -> bool:
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
        ":": left == right,
    }[operator]


class Catalogue:
    """The products, their variants and the deletion events, in Shopify's shapes."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.products: list[dict[str, Any]] = []
        self.deletions: list[dict[str, Any]] = [
            {  # a product deleted long ago: a sync since last week does not report it
                "occurredAt": _iso(self.now - timedelta(days=30)),
                "subjectId": "gid://shopify/Product/7000000001",
                "subjectType": "PRODUCT",
            }
        ]
        self._variant_id = 4_400_000
        dress = [("36", 4), ("38", 0), ("40", 2)]
        self._add(
            1, "Robe portefeuille en lin", "robe-portefeuille-lin", "Maison Lune", "Robes",
            "<p>Lin lavé, <em>coupe portefeuille</em>, longueur midi.</p>", ["lin", "été"],
            [({"Taille": s, "Couleur": "Terracotta"}, f"ROBE-LIN-{s}", "89.00", q)
             for s, q in dress],
        )  # fmt: skip
        self._add(
            2, "Crème mains karité", "creme-mains-karite", "Savonnerie du Midi", "Soins",
            "Au beurre de karité bio.", ["soin"],
            [({"Contenance": "30 ml"}, "CREME-KARITE-30", "8.50", 25),
             ({"Contenance": "75 ml"}, "CREME-KARITE-75", "16.90", 9)],
        )  # fmt: skip
        self._add(
            3, "Carafe en verre soufflé", "carafe-verre-souffle", "Verrerie de Biot",
            "Arts de la table", "Soufflée à la bouche, 1 L.", [],
            [({"Title": "Default Title"}, "CARAFE-VERRE", "32.00", 5)],
        )  # fmt: skip
        self._add(
            4, "Vase en céramique émaillée", "vase-ceramique", "", "Décoration", "", [],
            [({"Title": "Default Title"}, "VASE-CERAMIQUE", "49.00", 0)],
        )  # fmt: skip
        self._add(
            5, "Panier en osier tressé", "panier-osier", "Vannerie d'Aquitaine", "Décoration",
            "Tressé à la main.", [], [({"Title": "Default Title"}, "PANIER-OSIER", "42.00", None)],
        )  # fmt: skip
        self._add(
            6, "Coussin en velours côtelé", "coussin-velours", "Maison Lune", "Décoration",
            "Bientôt en vente.", [], [({"Title": "Default Title"}, "COUSSIN-VELOURS", "35.00", 3)],
            status="DRAFT",
        )  # fmt: skip

    def _add(
        self,
        n: int,
        title: str,
        handle: str,
        vendor: str,
        kind: str,
        html: str,
        tags: list[str],
        variants: list[tuple[dict[str, str], str, str, int | None]],
        status: str = "ACTIVE",
    ) -> None:
        legacy = 8_100_000 + n
        stamp = _iso(self.now - timedelta(days=7, minutes=-n))
        product: dict[str, Any] = {
            "id": f"gid://shopify/Product/{legacy}",
            "legacyResourceId": str(legacy),
            "title": title,
            "handle": handle,
            "vendor": vendor,
            "productType": kind,
            "descriptionHtml": html,
            "description": re.sub(r"<[^>]+>", "", html),
            "tags": tags,
            "status": status,
            "createdAt": stamp,
            "updatedAt": stamp,
            "onlineStoreUrl": f"{SHOP}/products/{handle}" if status == "ACTIVE" else None,
            "variants": [],
        }
        for options, sku, price, quantity in variants:
            self._variant_id += 1
            product["variants"].append(
                {
                    "id": f"gid://shopify/ProductVariant/{self._variant_id}",
                    "legacyResourceId": str(self._variant_id),
                    "title": " / ".join(options.values()),
                    "displayName": f"{title} - {' / '.join(options.values())}",
                    "sku": sku,
                    "price": price,
                    "compareAtPrice": None,
                    "inventoryQuantity": quantity,  # None: inventory not tracked
                    "inventoryPolicy": "DENY",
                    "availableForSale": quantity is None or quantity > 0,
                    "selectedOptions": [{"name": k, "value": v} for k, v in options.items()],
                    "product": product,
                }
            )
        product["totalInventory"] = sum(v["inventoryQuantity"] or 0 for v in product["variants"])
        self.products.append(product)

    # -- test hooks ----------------------------------------------------------------------

    def find(self, legacy_id: int | str) -> dict[str, Any]:
        return next(p for p in self.products if p["legacyResourceId"] == str(legacy_id))

    def update(self, legacy_id: int | str, **fields: Any) -> dict[str, Any]:
        """Change a product (`variants` items: {"sku": …, "price"/"inventoryQuantity": …})."""
        product = self.find(legacy_id)
        for change in fields.pop("variants", []):
            variant = next(v for v in product["variants"] if v["sku"] == change["sku"])
            variant.update({k: v for k, v in change.items() if k != "sku"})
            quantity = variant["inventoryQuantity"]
            variant["availableForSale"] = quantity is None or quantity > 0
        product.update(fields)
        product["updatedAt"] = _iso(datetime.now(UTC))
        return product

    def delete(self, legacy_id: int | str) -> None:
        product = self.find(legacy_id)
        self.products.remove(product)
        self.deletions.append(
            {
                "occurredAt": _iso(datetime.now(UTC)),
                "subjectId": product["id"],
                "subjectType": "PRODUCT",
            }
        )

    # -- resolvers -----------------------------------------------------------------------

    def resolve_products(self, _source: Any, _info: Any, **args: Any) -> list[dict[str, Any]]:
        found = list(self.products)
        for field, operator, value in search_terms(args.get("query"), {"updated_at", "status"}):
            if field == "status":
                wanted = {s.strip().upper() for s in value.split(",")}
                found = [p for p in found if p["status"] in wanted]
            else:
                bound = _when(value)
                found = [p for p in found if _compare(_when(p["updatedAt"]), operator, bound)]
        key = {"UPDATED_AT": "updatedAt", "TITLE": "title", "CREATED_AT": "createdAt"}
        sort = key.get(args.get("sortKey") or "ID")
        found.sort(key=lambda p: p[sort] if sort else int(p["legacyResourceId"]))
        return found

    def resolve_product(self, _source: Any, _info: Any, id: str) -> dict[str, Any] | None:
        return next((p for p in self.products if p["id"] == id), None)

    def resolve_variants(self, _source: Any, _info: Any, **args: Any) -> list[dict[str, Any]]:
        found = [v for p in self.products for v in p["variants"]]
        for _field, _operator, value in search_terms(args.get("query"), {"sku"}):
            found = [v for v in found if (v["sku"] or "").lower() == value.lower()]
        return found

    def resolve_deletions(self, _source: Any, _info: Any, **args: Any) -> list[dict[str, Any]]:
        types = set(args.get("subjectTypes") or ["COLLECTION", "PRODUCT"])
        found = [d for d in self.deletions if d["subjectType"] in types]
        for _field, operator, value in search_terms(args.get("query"), {"occurred_at"}):
            bound = _when(value)
            found = [d for d in found if _compare(_when(d["occurredAt"]), operator, bound)]
        return found
