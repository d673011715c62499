"""The WooCommerce stand-in's products (issue 18): a few French products in WooCommerce's own
JSON shapes, served as the REST API v3 documents them (woocommerce-rest-api-docs, wp-api-v3
_products.md and _product-variations.md).

Served: GET /products (page, per_page, status — `any` by default, which leaves the bin out —,
sku, modified_after / modified_before with dates_are_gmt, orderby id|date|modified, order),
GET /products/<id>, GET /products/<id>/variations, PUT /products/<id> (name, regular_price,
stock_quantity, stock_status, status), DELETE /products/<id> (to the bin; `force=true` deletes
for good). Every change sets date_modified and date_modified_gmt, as WordPress does.

The products: a variable jumper (sizes x colours, one combination sold out), a variable
perfume (50 ml / 100 ml, 100 ml sold out), a teapot with a managed stock, a candle whose stock
is not managed, a plaid sold out, a draft and a binned product.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

SHOP = "https://boutique.exemple.fr"
ORDERINGS = ("id", "date", "modified", "title", "slug", "include")


def _variation(vid: int, sku: str, price: str, stock: int, **options: str) -> dict[str, Any]:
    return {
        "id": vid,
        "sku": sku,
        "price": price,
        "regular_price": price,
        "status": "publish",
        "manage_stock": True,
        "stock_quantity": stock,
        "stock_status": "instock" if stock > 0 else "outofstock",
        "attributes": [
            {"id": n, "name": name, "option": value}
            for n, (name, value) in enumerate(options.items(), 1)
        ],
    }


def build_products() -> tuple[list[dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """(products, variations by product id), without dates (set by `Catalogue`)."""
    jumper = [
        _variation(
            2011 + n, f"PULL-MERINOS-{c[:2].upper()}-{s}", "69.00", 0 if n == 1 else 3 + n,
            Taille=s, Couleur=c,
        )
        for n, (c, s) in enumerate(
            [(c, s) for c in ("Bleu nuit", "Écru") for s in ("S", "M", "L")]
        )
    ]  # fmt: skip
    perfume = [
        _variation(2021, "EDP-FIGUE-50", "59.00", 12, Contenance="50 ml"),
        _variation(2022, "EDP-FIGUE-100", "89.00", 0, Contenance="100 ml"),
    ]

    def product(pid: int, name: str, sku: str, kind: str = "simple", **extra: Any) -> dict:
        slug = extra.pop("slug", sku.lower())
        return {
            "id": pid,
            "name": name,
            "slug": slug,
            "permalink": f"{SHOP}/produit/{slug}/",
            "type": kind,
            "status": "publish",
            "catalog_visibility": "visible",
            "sku": sku,
            "price": "",
            "regular_price": "",
            "manage_stock": False,
            "stock_quantity": None,
            "stock_status": "instock",
            "description": "",
            "short_description": "",
            "categories": [],
            "tags": [],
            "brands": [],
            "attributes": [],
            "variations": [],
            **extra,
        }

    products = [
        product(
            201,
            "Pull col roulé en laine mérinos",
            "PULL-MERINOS",
            "variable",
            short_description="<p>Un pull <strong>chaud et léger</strong>, tricoté en France.</p>",
            categories=[{"id": 15, "name": "Pulls", "slug": "pulls"}],
            tags=[{"id": 31, "name": "laine", "slug": "laine"}],
            brands=[{"id": 4, "name": "Filature Dorée", "slug": "filature-doree"}],
            attributes=[
                {"id": 1, "name": "Taille", "variation": True, "options": ["S", "M", "L"]},
                {"id": 2, "name": "Couleur", "variation": True, "options": ["Bleu nuit", "Écru"]},
            ],
            variations=[v["id"] for v in jumper],
        ),
        product(
            202,
            "Eau de parfum Figue &amp; Cèdre",
            "EDP-FIGUE",
            "variable",
            description="<p>Un sillage boisé, figue verte et cèdre.</p>",
            categories=[{"id": 16, "name": "Parfums", "slug": "parfums"}],
            attributes=[{"id": 0, "name": "Contenance", "options": ["50 ml", "100 ml"]}],
            variations=[v["id"] for v in perfume],
        ),
        product(
            203,
            "Théière en fonte 1 L",
            "THEIERE-FONTE-1L",
            price="45.00",
            regular_price="45.00",
            manage_stock=True,
            stock_quantity=7,
            short_description="Fonte émaillée, filtre inox.",
            categories=[{"id": 17, "name": "Cuisine", "slug": "cuisine"}],
        ),
        product(204, "Bougie parfumée figue", "BOUGIE-FIGUE", price="24.00", regular_price="24.00"),
        product(
            205,
            "Plaid en lin lavé",
            "PLAID-LIN",
            price="59.90",
            regular_price="59.90",
            stock_status="outofstock",
        ),
        product(206, "Carnet en cuir A5 (bientôt)", "CARNET-CUIR", status="draft", price="32.00"),
        product(207, "Coffret thé vert Sencha", "THE-SENCHA", status="trash", price="18.90"),
    ]
    return products, {201: jumper, 202: perfume}


class Catalogue:
    """The stand-in's products and variations, with WordPress's modification dates."""

    def __init__(self, now: datetime | None = None) -> None:
        self.products, self.variations = build_products()
        start = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
        for n, row in enumerate(self.products):  # saved a few days ago, one after the other
            self.touch(row, start - timedelta(days=3) + timedelta(minutes=n))

    @staticmethod
    def touch(row: dict[str, Any], moment: datetime | None = None) -> None:
        from bot.tools.standins.woocommerce import PARIS  # the stand-in's site time zone

        gmt = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
        row["date_modified_gmt"] = gmt.replace(tzinfo=None, microsecond=0).isoformat()
        row["date_modified"] = gmt.astimezone(PARIS).replace(tzinfo=None, microsecond=0).isoformat()
        row.setdefault("date_created", row["date_modified"])
        row.setdefault("date_created_gmt", row["date_modified_gmt"])

    def find(self, product_id: str) -> dict[str, Any] | None:
        if not product_id.isdigit():
            return None
        return next((p for p in self.products if p["id"] == int(product_id)), None)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
    except ValueError:
        return None


def register(
    app: FastAPI,
    api: str,
    authenticate: Callable[..., JSONResponse | None],
    paginate: Callable[[Request, list[dict[str, Any]]], Response],
    error: Callable[..., JSONResponse],
) -> None:
    """Add the product routes (before the stand-in's catch-all route)."""
    catalogue: Catalogue = app.state.catalogue

    def invalid_id() -> JSONResponse:
        return error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")

    @app.get(api + "/products")
    def list_products(request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        q = request.query_params
        status = q.get("status", "any")
        rows = [
            p
            for p in catalogue.products
            if (p["status"] != "trash" if status == "any" else p["status"] == status)
        ]
        if q.get("sku"):
            wanted = {s.strip() for s in q["sku"].split(",")}
            rows = [p for p in rows if p["sku"] in wanted]
        gmt = q.get("dates_are_gmt") in ("true", "1")
        field = "date_modified_gmt" if gmt else "date_modified"
        for name, keep in (("modified_after", 1), ("modified_before", -1)):
            raw = q.get(name)
            if raw is None:
                continue
            bound = _parse(raw)
            if bound is None:
                return error(400, "rest_invalid_param", f"Invalid parameter(s): {name}")
            rows = [p for p in rows if (_parse(p[field]) - bound).total_seconds() * keep > 0]  # type: ignore[operator]
        orderby = q.get("orderby", "date")
        if orderby not in ORDERINGS:
            return error(400, "rest_invalid_param", "Invalid parameter(s): orderby")
        key = {"id": "id", "date": "date_created_gmt", "modified": "date_modified_gmt"}
        field_of = key.get(orderby, "name")
        rows.sort(key=lambda p: p.get(field_of) or "", reverse=q.get("order") != "asc")
        return paginate(request, [copy.deepcopy(p) for p in rows])

    @app.get(api + "/products/{product_id}")
    def get_product(product_id: str, request: Request) -> Response:
        refused = authenticate(request, write=False)
        if refused:
            return refused
        found = catalogue.find(product_id)
        return JSONResponse(copy.deepcopy(found)) if found else invalid_id()

    @app.get(api + "/products/{product_id}/variations")
    def list_variations(product_id: str, request: Request) -> Response:
        refused = authenticate(request, write=False, listing=True)
        if refused:
            return refused
        found = catalogue.find(product_id)
        if found is None:
            return invalid_id()
        return paginate(request, copy.deepcopy(catalogue.variations.get(found["id"], [])))

    @app.api_route(api + "/products/{product_id}", methods=["PUT", "POST", "PATCH"])
    async def update_product(product_id: str, request: Request) -> Response:
        refused = authenticate(request, write=True)
        if refused:
            return refused
        found = catalogue.find(product_id)
        if found is None:
            return invalid_id()
        body = await request.json()
        if not isinstance(body, dict):
            return error(400, "rest_invalid_json", "Invalid JSON body passed.")
        for name in ("name", "status", "stock_status", "short_description"):
            if name in body:
                found[name] = body[name]
        if "regular_price" in body:
            found["regular_price"] = found["price"] = str(body["regular_price"])
        if "stock_quantity" in body:
            found.update(manage_stock=True, stock_quantity=int(body["stock_quantity"]))
            found["stock_status"] = "instock" if found["stock_quantity"] > 0 else "outofstock"
        catalogue.touch(found)
        return JSONResponse(copy.deepcopy(found))

    @app.delete(api + "/products/{product_id}")
    def delete_product(product_id: str, request: Request) -> Response:
        refused = authenticate(request, write=True)
        if refused:
            return refused
        found = catalogue.find(product_id)
        if found is None:
            return invalid_id()
        if request.query_params.get("force") in ("true", "1"):
            catalogue.products.remove(found)
        else:
            found["status"] = "trash"
            catalogue.touch(found)
        return JSONResponse(copy.deepcopy(found))
