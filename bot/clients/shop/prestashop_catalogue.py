"""The catalogue of a PrestaShop shop (issue 18), read from its Webservice.

Followed (devdocs.prestashop-project.org, 1.7 to 9): webservice/resources/products,
combinations, stock_availables, product_options, product_option_values, categories (fields
and `associations`); tutorials/advanced-use/additional-list-parameters (`display=full`,
`filter[field]=[a|b]`, intervals `[a,b]` with `date=1` for dates, `sort=[id_ASC]`,
`limit=offset,count`); the price management chapter (`price[alias][use_tax]=1`: a computed
price with tax, under `alias`). The key needs GET on those six resources.

How the feed maps to PrestaShop:
- A first sync lists active products; a sync since a moment lists products whose `date_upd`
  (shop time, Paris) falls since then, active or not: an inactive one is a removal. A product
  deleted outright leaves no trace in the webservice: deactivate products instead.
  PrestaShop does not touch `date_upd` when only a stock moves: the feed carries the stock of
  the day the product was last saved, and `product(sku)`, read when a shopper sees it, the
  stock of now.
- A variant is a combination: its options (Taille, Couleur, Contenance…) come from
  product_option_values and product_options, its stock from stock_availables, its price is the
  product's price plus the combination's impact. The webservice's prices are without tax: the
  tax rate comes from the product's computed price with tax (`price[comptoir_ttc][use_tax]=1`);
  a shop that does not return it is assumed at France's standard VAT (DEFAULT_VAT).
- The link is PrestaShop's product controller (index.php?controller=product&id_product=…),
  which redirects to the product's friendly URL; brand is `manufacturer_name`, category the
  default category's name; delivery delay, audience and restock date keep the model's defaults.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.clients.shop import product_feed as feed
from bot.clients.shop.contract import ProductNotFound, ShopUnavailable
from bot.clients.shop.models import Product, ProductPage, ProductVariant
from bot.clients.shop.transport import UNAVAILABLE

if TYPE_CHECKING:
    from bot.clients.shop.prestashop import PrestaShopClient

log = logging.getLogger(__name__)
SHOP_TZ = ZoneInfo("Europe/Paris")
PAGE = 50
DEFAULT_VAT = 0.20
PRICE_ALIAS = "comptoir_ttc"
NOT_FOUND = "Ce produit n'existe pas ou n'est plus en vente."


def _text(value: Any) -> str:
    """A field that may be multilingual: a string, or [{"id": lang, "value": ...}, ...]."""
    if isinstance(value, list):
        return str(value[0].get("value") or "") if value and isinstance(value[0], dict) else ""
    return str(value or "")


def _float(value: Any) -> float:
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


def _ids(rows: Any) -> list[str]:
    return [str(r.get("id")) for r in rows or [] if isinstance(r, dict) and r.get("id")]


def _local(moment: datetime) -> str:
    """Shop time as PrestaShop's date filters take it: 'YYYY-MM-DD HH:MM:SS'."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(SHOP_TZ).strftime("%Y-%m-%d %H:%M:%S")


def sku_of(row: dict[str, Any]) -> str:
    return str(row.get("reference") or "").strip() or f"ps-{row.get('id')}"


class Catalogue:
    """`products()` and `product()` of the ShopClient contract for a PrestaShop shop."""

    def __init__(self, client: PrestaShopClient) -> None:
        self.client = client

    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        if cursor:
            state = feed.decode_cursor(cursor)
        else:
            state = {
                "offset": 0,
                "since": _local(updated_since) if updated_since else None,
                "as_of": None,
            }
        params = {"sort": "[id_ASC]", "limit": f"{int(state.get('offset', 0))},{PAGE}"}
        if state.get("since"):
            params.update(
                {"filter[date_upd]": f"[{state['since']},9999-12-31 23:59:59]", "date": "1"}
            )
        else:
            params["filter[active]"] = "[1]"
        rows, headers = self._page(params)
        as_of = state.get("as_of") or ((feed.server_time(headers) - feed.FEED_OVERLAP).isoformat())
        live = [r for r in rows if str(r.get("active", "1")) == "1"]
        products = self._products(live)
        removed = [sku_of(r) for r in rows if str(r.get("active", "1")) != "1"]
        next_cursor = None
        if len(rows) == PAGE:
            next_cursor = feed.encode_cursor(
                {**state, "offset": int(state.get("offset", 0)) + PAGE, "as_of": as_of}
            )
        return ProductPage(
            products=products,
            removed=removed,
            next_cursor=next_cursor,
            as_of=datetime.fromisoformat(as_of),
        )

    def product(self, sku: str) -> Product:
        wanted = sku.strip()
        if wanted.startswith("ps-") and wanted[3:].isdigit():
            where = {"filter[id]": f"[{wanted[3:]}]"}
        elif wanted and not set(wanted) & set("[]|,%"):  # the filter syntax's own characters
            where = {"filter[reference]": f"[{wanted}]"}
        else:
            raise ProductNotFound(NOT_FOUND)
        rows, _ = self._page({**where, "filter[active]": "[1]", "limit": "0,5"})
        found = [r for r in rows if sku_of(r) == wanted or "filter[id]" in where]
        if not found:
            raise ProductNotFound(NOT_FOUND)
        return self._products(found[:1])[0]

    # -- reading ------------------------------------------------------------------------

    def _page(self, params: dict[str, str]) -> tuple[list[dict[str, Any]], Any]:
        """One page of products, with the computed price with tax (see the module doc)."""
        query = {
            **params,
            "display": "full",
            "output_format": "JSON",
            f"price[{PRICE_ALIAS}][use_tax]": "1",
        }
        reply = self.client.transport.call("GET", "/products", params=query)
        if not reply.ok:
            raise self.client._error(reply, "GET", "/products")
        data = reply.json()
        if data == [] or data == {}:  # PrestaShop's empty list
            return [], reply.headers
        rows = data.get("products") if isinstance(data, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise self.client._malformed("/products")
        return rows, reply.headers

    def _products(self, rows: list[dict[str, Any]]) -> list[Product]:
        if not rows:
            return []
        ids = "[" + "|".join(str(r["id"]) for r in rows) + "]"
        combinations = self.client._list("combinations", {"filter[id_product]": ids})
        stocks = self.client._list("stock_availables", {"filter[id_product]": ids})
        stock = {
            (str(s.get("id_product")), str(s.get("id_product_attribute") or "0")): int(
                _float(s.get("quantity"))
            )
            for s in stocks
        }
        by_product: dict[str, list[dict[str, Any]]] = {}
        for combination in combinations:
            by_product.setdefault(str(combination.get("id_product")), []).append(combination)
        try:
            return [self._product(r, by_product.get(str(r["id"]), []), stock) for r in rows]
        except (ValidationError, KeyError, TypeError, ValueError):
            log.error("PrestaShop answered a product this client cannot read")
            raise ShopUnavailable(UNAVAILABLE, code="malformed_response") from None

    def _product(
        self,
        row: dict[str, Any],
        combinations: list[dict[str, Any]],
        stock: dict[tuple[str, str], int],
    ) -> Product:
        pid, sku = str(row["id"]), sku_of(row)
        base = _float(row.get("price"))
        with_tax = _float(row.get(PRICE_ALIAS))
        ratio = with_tax / base if base > 0 and with_tax > 0 else 1 + DEFAULT_VAT
        if combinations:
            variants = [
                ProductVariant(
                    sku=str(c.get("reference") or "").strip() or f"{sku}-{c.get('id')}",
                    price=round((base + _float(c.get("price"))) * ratio, 2),
                    stock=max(stock.get((pid, str(c.get("id"))), 0), 0),
                    **feed.variant_fields(self._options(c)),
                )
                for c in sorted(combinations, key=lambda c: int(c.get("id") or 0))
            ]
        else:
            variants = [
                ProductVariant(
                    sku=sku, price=round(base * ratio, 2), stock=max(stock.get((pid, "0"), 0), 0)
                )
            ]
        root = self.client.transport.base_url.removesuffix("/api")
        return Product(
            sku=sku,
            name=_text(row.get("name")),
            brand=str(row.get("manufacturer_name") or ""),
            category=self._categories().get(str(row.get("id_category_default")), ""),
            description=feed.plain_text(
                _text(row.get("description_short")) or _text(row.get("description"))
            ),
            url=f"{root}/index.php?controller=product&id_product={pid}",
            variants=variants,
            updated_at=feed.parse_utc(_utc_of(row.get("date_upd"))),
        )

    def _options(self, combination: dict[str, Any]) -> list[tuple[str, str]]:
        values, groups = self._option_values(), self._option_groups()
        pairs = []
        for value_id in _ids((combination.get("associations") or {}).get("product_option_values")):
            value = values.get(value_id)
            if value is not None:
                pairs.append(
                    (groups.get(str(value.get("id_attribute_group")), ""), _text(value.get("name")))
                )
        return pairs

    def _option_values(self) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self.client._cached(
            "option_values",
            lambda: {str(v["id"]): v for v in self.client._list("product_option_values", {})},
        )
        return result

    def _option_groups(self) -> dict[str, str]:
        result: dict[str, str] = self.client._cached(
            "option_groups",
            lambda: {
                str(g["id"]): _text(g.get("name")) for g in self.client._list("product_options", {})
            },
        )
        return result

    def _categories(self) -> dict[str, str]:
        result: dict[str, str] = self.client._cached(
            "categories",
            lambda: {
                str(c["id"]): _text(c.get("name")) for c in self.client._list("categories", {})
            },
        )
        return result


def _utc_of(value: Any) -> str | None:
    """PrestaShop's local 'YYYY-MM-DD HH:MM:SS' as an ISO time with its Paris offset."""
    text = str(value or "")
    if not text or text.startswith("0000"):
        return None
    try:
        local = datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHOP_TZ)
    except ValueError:
        return None
    return local.isoformat()
