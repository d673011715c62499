"""The product-question dev set: shopper sentences and the products that answer them.

Each question in bot/tools/eval/products_fr.yml carries a hand-written `match` (what the
shopper means, in catalogue fields: name words, brand, size, colour, volume, price ceiling…)
and the frozen `skus` that match computes on the catalogue. The match is read by this plain
field comparison, never by the query parser, so the parser cannot grade itself; `skus` are
kept frozen so a change of the generator that moves the answers shows up as a test failure
(`python -m bot.catalogue devset --write` refreshes them after a deliberate change).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from bot.core.normalise import fold

from .models import Product, Variant

DEV_SET = Path(__file__).resolve().parents[1] / "tools" / "eval" / "products_fr.yml"
VARIANT_KEYS = ("size", "colour", "volume_ml", "capacity", "max_price", "in_stock")


@dataclass(frozen=True)
class Question:
    text: str
    match: dict[str, Any]
    skus: tuple[str, ...]
    kind: str = ""  # what the question tests: product, constraints, brand, gift, legacy…


def _variant_ok(variant: Variant, match: dict[str, Any]) -> bool:
    if "size" in match and fold(variant.size or "") != fold(str(match["size"])):
        return False
    if "colour" in match and fold(match["colour"]) not in fold(variant.colour or ""):
        return False
    if "volume_ml" in match and variant.volume_ml != int(match["volume_ml"]):
        return False
    if "capacity" in match and fold(variant.capacity or "") != fold(match["capacity"]):
        return False
    if "max_price" in match and variant.price > float(match["max_price"]):
        return False
    return not (match.get("in_stock") and not variant.in_stock)


def matches(product: Product, match: dict[str, Any]) -> bool:
    """Whether the product is a right answer to a question with this match."""
    if "sku" in match:
        skus = match["sku"] if isinstance(match["sku"], list) else [match["sku"]]
        if product.sku not in skus:
            return False
    name = fold(product.name)
    if any(fold(word) not in name for word in match.get("name", [])):
        return False
    alternatives = match.get("any_name")
    if alternatives and not any(all(fold(w) in name for w in alt) for alt in alternatives):
        return False
    if "brand" in match and product.brand != match["brand"]:
        return False
    if "category" in match:
        wanted = match["category"]
        if product.category not in (wanted if isinstance(wanted, list) else [wanted]):
            return False
    if "audience" in match and product.audience not in (match["audience"], "mixte"):
        return False
    if not any(k in match for k in VARIANT_KEYS):
        return True
    return any(_variant_ok(v, match) for v in product.variants)


def gold(products: Iterable[Product], match: dict[str, Any]) -> tuple[str, ...]:
    return tuple(p.sku for p in products if matches(p, match))


def load(path: Path = DEV_SET) -> list[Question]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(
            item["q"],
            dict(item.get("match") or {}),
            tuple(item.get("skus") or ()),
            item.get("kind", ""),
        )
        for item in data["questions"]
    ]


def load_absent(path: Path = DEV_SET) -> list[str]:
    """Questions about products the shop does not sell: the answer is "je ne trouve pas"."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8")).get("absent") or [])


def write(questions: Sequence[Question], products: Sequence[Product], path: Path = DEV_SET) -> int:
    """Recompute every question's skus from its match; returns how many changed."""
    changed = 0
    items = []
    for question in questions:
        skus = list(gold(products, question.match))
        changed += list(question.skus) != skus
        items.append(
            {"q": question.text, "kind": question.kind, "match": question.match, "skus": skus}
        )
    header = (
        "# Product questions as shoppers type them, with the products that answer them in the\n"
        "# generated catalogue (seed 2026, 3,000 products). Written for the project; never taken\n"
        "# from shared/eval. `match` is the meaning in catalogue fields; `skus` what it selects\n"
        "# (refresh: python -m bot.catalogue devset --write).\n"
        "# Measure: python -m bot.catalogue eval\n"
    )
    data = {"questions": items, "absent": load_absent(path) if path.is_file() else []}
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(header + body, encoding="utf-8")
    return changed
