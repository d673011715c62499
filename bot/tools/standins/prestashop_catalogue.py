"""The PrestaShop stand-in's catalogue (issue 18): products, combinations, stock_availables,
product_options, product_option_values and categories, in the webservice's JSON shapes
(devdocs.prestashop-project.org, webservice/resources/…), served by the stand-in's generic
listing (filters, intervals, sort, limit). Prices are without tax, as PrestaShop stores them;
`price[alias][use_tax]=1` adds the computed price with tax (20 % here) under `alias`, as the
webservice's price management chapter documents.

Products: a teapot (no combination), a T-shirt in S/M/L (M sold out), an eau de toilette in
50 ml / 100 ml (100 ml sold out), a gift box sold out, and an inactive mug. `save(shop, id,
**fields)` changes a product and its `date_upd`, as the back office does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request

PARIS = ZoneInfo("Europe/Paris")
VAT = 0.20
RESOURCES = {
    "products": ("products", "product"),
    "combinations": ("combinations", "combination"),
    "stock_availables": ("stock_availables", "stock_available"),
    "product_options": ("product_options", "product_option"),
    "product_option_values": ("product_option_values", "product_option_value"),
    "categories": ("categories", "category"),
}


def _lang(text: str) -> list[dict[str, str]]:
    return [{"id": "1", "value": text}]


def _ht(with_tax: float) -> str:
    return f"{with_tax / (1 + VAT):.6f}"


def _now() -> str:
    return datetime.now(PARIS).strftime("%Y-%m-%d %H:%M:%S")


def populate(shop: Any, saved: str = "2026-01-05 10:00:00") -> None:
    """Add the catalogue's tables to the stand-in's `Shop` (ids as PrestaShop numbers them)."""
    for n, name in enumerate(["Racine", "Accueil", "Thés et accessoires", "Vêtements", "Parfums"]):
        shop.add("categories", {"name": _lang(name), "active": "1", "id_parent": str(max(n, 0))})
    for name in ("Taille", "Couleur", "Contenance"):
        shop.add("product_options", {"name": _lang(name), "public_name": _lang(name)})
    values = [(1, "S"), (1, "M"), (1, "L"), (2, "Blanc"), (3, "50 ml"), (3, "100 ml")]
    for group, name in values:
        shop.add("product_option_values", {"id_attribute_group": str(group), "name": _lang(name)})

    def product(reference: str, name: str, price: float, category: int, **extra: Any) -> str:
        row = shop.add(
            "products",
            {
                "reference": reference,
                "name": _lang(name),
                "price": _ht(price),
                "active": "1",
                "id_category_default": str(category),
                "id_manufacturer": "0",
                "manufacturer_name": "",
                "id_tax_rules_group": "1",
                "link_rewrite": _lang(re.sub(r"[^a-z0-9]+", "-", reference.lower())),
                "description_short": _lang(""),
                "description": _lang(""),
                "date_add": saved,
                "date_upd": saved,
                "associations": {"combinations": [], "stock_availables": []},
                **extra,
            },
        )
        return str(row["id"])

    def stock(pid: str, combination: str, quantity: int) -> None:
        row = shop.add(
            "stock_availables",
            {
                "id_product": pid,
                "id_product_attribute": combination,
                "quantity": str(quantity),
                "depends_on_stock": "0",
                "out_of_stock": "2",
            },
        )
        shop.tables["products"][int(pid)]["associations"]["stock_availables"].append(
            {"id": str(row["id"]), "id_product_attribute": combination}
        )

    def combination(
        pid: str, reference: str, impact: float, value_ids: list[int], qty: int
    ) -> None:
        row = shop.add(
            "combinations",
            {
                "id_product": pid,
                "reference": reference,
                "price": f"{impact:.6f}",
                "associations": {"product_option_values": [{"id": str(v)} for v in value_ids]},
            },
        )
        shop.tables["products"][int(pid)]["associations"]["combinations"].append(
            {"id": str(row["id"])}
        )
        stock(pid, str(row["id"]), qty)

    teapot = product(
        "THE-FONTE-08",
        "Théière en fonte 0,8 L",
        39.0,
        3,
        manufacturer_name="Fonderie de Lorraine",
        id_manufacturer="2",
        description_short=_lang("<p>Fonte <b>émaillée</b>, filtre en inox.</p>"),
    )
    stock(teapot, "0", 6)
    tshirt = product("TSHIRT-BIO", "T-shirt en coton bio", 24.9, 4)
    for size_id, size, qty in ((1, "S", 5), (2, "M", 0), (3, "L", 3)):
        combination(tshirt, f"TSHIRT-BIO-{size}", 0.0, [size_id, 4], qty)
    stock(tshirt, "0", 8)
    perfume = product("EDT-VERVEINE", "Eau de toilette Verveine", 29.9, 5)
    combination(perfume, "EDT-VERVEINE-50", 0.0, [5], 10)
    combination(perfume, "EDT-VERVEINE-100", 12.5, [6], 0)
    stock(perfume, "0", 10)
    gift = product("COF-CADEAU", "Coffret découverte de thés", 29.9, 3)
    stock(gift, "0", 0)
    mug = product("MUG-ANCIEN", "Mug en grès (ancienne collection)", 12.0, 3, active="0")
    stock(mug, "0", 4)


def save(shop: Any, product_id: int, **fields: Any) -> dict[str, Any]:
    """Change a product as the back office would: `date_upd` moves to now."""
    row: dict[str, Any] = shop.tables["products"][product_id]
    row.update(fields, date_upd=_now())
    return row


def priced(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Products with the computed prices asked by `price[alias][use_tax]=1` (else as stored)."""
    aliases = [
        (m.group(1), value == "1")
        for name, value in request.query_params.items()
        if (m := re.fullmatch(r"price\[(\w+)\]\[use_tax\]", name))
    ]
    if not aliases:
        return rows
    out = []
    for row in rows:
        base = float(row.get("price") or 0)
        extra = {a: f"{base * (1 + VAT) if tax else base:.6f}" for a, tax in aliases}
        out.append({**row, **extra})
    return out
