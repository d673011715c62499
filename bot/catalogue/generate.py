"""A realistic French catalogue, generated from a seed: same seed, same catalogue.

Every product draws from its own `random.Random(seed, position)`, so the generator streams
(`iter_products`) in constant memory and product N is the same whatever the size asked: the
3,000-product demo catalogue is the start of the million-product one the scale bench uses.
The demo shop's products (bot/demo_shop/seed.py `CATALOGUE`) come first with their SKU, name,
category, price and total stock unchanged, so existing orders still point at real products.
"""

from __future__ import annotations

import bisect
import itertools
import random
import re
import unicodedata
from typing import Iterator

from .models import Product, Variant
from .vocab import (
    APPLIANCE_COLOURS,
    BRANDS,
    CAPACITY,
    CATEGORY_SHARE,
    CLOTHES,
    CLOTHES_SIZES,
    COLOURS,
    DETAILS,
    MODEL_NAMES,
    ONE_SIZE,
    OPENINGS,
    PREFIX,
    SCENTS,
    SHADE,
    SHADES,
    SHOE_SIZES,
    SHOES,
    SPECIFIC,
    TYPES,
    USES,
    VOLUME,
    ProductType,
)

DEFAULT_SEED = 2026
DEFAULT_SIZE = 3_000
OUT_OF_STOCK_SHARE = 0.12  # of variants
RESTOCK_SHARE = 0.6  # of out-of-stock variants: a supplier delivery is due
FIRST_GENERATED = 100_000  # generated SKUs never meet the seed's (MOD-1001 … PER-9004)

_CATEGORIES = [c for c, share in CATEGORY_SHARE.items() if share and TYPES[c]]
_CUMULATIVE = list(itertools.accumulate(CATEGORY_SHARE[c] for c in _CATEGORIES))
_TYPE_CUMULATIVE = {c: list(itertools.accumulate(t.weight for t in TYPES[c])) for c in _CATEGORIES}
_VOLUME_FACTOR = {0: 1.0, 1: 1.45, 2: 2.0, 3: 2.6}


def slugify(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.lower().replace("œ", "oe"))
    ascii_text = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _price(rng: random.Random, low: float, high: float) -> float:
    """A shop price: 24.90, 59.00, 119.00, 34.50."""
    raw = rng.uniform(low, high)
    ending = rng.choice((0.9, 0.9, 0.0, 0.5))
    return round(max(1.0, float(int(raw)) + ending), 2)


def _rounded(price: float) -> float:
    """A bigger size's price, ending like a shop's: 125.42 -> 125.90."""
    return round(int(price) + 0.9, 2)


def _stock(rng: random.Random) -> tuple[int, int | None]:
    if rng.random() < OUT_OF_STOCK_SHARE:
        return 0, (rng.randint(3, 30) if rng.random() < RESTOCK_SHARE else None)
    return int(rng.triangular(1, 60, 6)), None


def _variants(
    rng: random.Random, sku: str, kind: ProductType, price: float, audience: str
) -> tuple[Variant, ...]:
    rows: list[dict[str, object]] = []
    axis = kind.axis
    if axis in (CLOTHES, SHOES):
        colours = rng.sample(COLOURS[:20], rng.randint(1, 3))
        if axis == SHOES:
            low = 36 if audience != "homme" else 39
            high = 41 if audience == "femme" else 46
            sizes = [s for s in SHOE_SIZES if low <= int(s) <= high]
        else:
            sizes = list(CLOTHES_SIZES if audience != "enfant" else ("S", "M", "L"))
        rows = [{"size": s, "colour": c} for c in colours for s in sizes]
    elif axis == ONE_SIZE:
        pool = APPLIANCE_COLOURS if kind.tags[0] in _APPLIANCES else COLOURS[:19]
        rows = [{"colour": c} for c in rng.sample(pool, rng.randint(1, 3))]
    elif axis == SHADE:
        rows = [{"colour": c} for c in rng.sample(SHADES, rng.randint(2, 5))]
    elif axis == VOLUME:
        rows = [{"volume_ml": int(v), "_step": n} for n, v in enumerate(kind.options)]
    elif axis == CAPACITY:
        rows = [{"capacity": v, "_step": n} for n, v in enumerate(kind.options)]
        if kind.options and kind.options[0][0].isdigit() and " x " in kind.options[0]:
            rows = [{"size": v, "_step": n} for n, v in enumerate(kind.options)]
        elif kind.options and kind.options[0].endswith("cm"):
            rows = [{"size": v, "_step": n} for n, v in enumerate(kind.options)]
    if not rows:
        rows = [{}]
    out = []
    for n, row in enumerate(rows, 1):
        step = int(row.pop("_step", 0))  # type: ignore[call-overload]
        stock, restock = _stock(rng)
        out.append(
            Variant(
                sku=f"{sku}-{n:02d}",
                price=_rounded(price * _VOLUME_FACTOR.get(step, 1.0 + step * 0.5))
                if step
                else price,
                stock=stock,
                restock_in_days=restock,
                **row,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


_APPLIANCES = {t.tags[0] for t in TYPES["petit électroménager"] + TYPES["high-tech"]}


def _description(
    rng: random.Random,
    category: str,
    style: str,
    material: str,
    noun: str,
    brand: str,
    scent: str,
    audience: str,
) -> str:
    values = {
        "s": style or "classique",
        "m": material or "avec soin",
        "n": noun.lower(),
        "b": brand,
        "x": scent.lower() or "notes boisées",
        "mat": material.removeprefix("en ") if material else "matières choisies",
    }
    parts = [rng.choice(OPENINGS[category])]
    details = list(DETAILS[category])
    rng.shuffle(details)
    parts += details[: rng.randint(0, 2 if material or scent else 1)]
    if brand and rng.random() < 0.7:
        parts.insert(1, rng.choice(SPECIFIC[category]))
    if rng.random() < 0.5:
        parts.append(rng.choice(USES[category]))
    if audience in ("femme", "homme") and rng.random() < 0.5:
        parts.insert(1, f"Modèle {audience}.")
    elif audience == "enfant":
        parts.insert(1, "Pensé pour les enfants.")
    rng.shuffle(parts[1:])  # the opening stays first; the rest in any order
    text = " ".join(parts[:3]).format(**values)
    return text[0].upper() + text[1:]


def _generated(seed: int, position: int) -> Product:
    rng = random.Random(seed * 1_000_003 + position)
    category = _CATEGORIES[bisect.bisect(_CUMULATIVE, rng.random() * _CUMULATIVE[-1])]
    weights = _TYPE_CUMULATIVE[category]
    kind = TYPES[category][bisect.bisect(weights, rng.random() * weights[-1])]
    audience = rng.choice(kind.audiences)
    brand = rng.choice(BRANDS[category])
    style = rng.choice(kind.styles) if kind.styles else ""
    material = rng.choice(kind.materials)
    scent = rng.choice(SCENTS) if category == "parfum" or kind.noun == "Bougie parfumée" else ""
    if category == "parfum":
        name = f"{kind.noun} {scent}"
        if kind.noun == "Coffret parfum":
            name = f"Coffret {scent} eau de parfum et lait corps"
    elif kind.noun == "Bougie parfumée":
        name = f"Bougie parfumée {style}"
    else:
        named = category in ("mode", "lingerie", "maison") and rng.random() < 0.45
        model = f" {rng.choice(MODEL_NAMES)}" if named else ""
        name = " ".join(p for p in (kind.noun + model, style, material) if p)
    if audience == "enfant" and "enfant" not in name:
        name += " enfant"
    sku = f"{PREFIX[category]}-{FIRST_GENERATED + position}"
    price = _price(rng, *kind.price)
    variants = _variants(rng, sku, kind, price, audience)
    description = _description(rng, category, style, material, kind.noun, brand, scent, audience)
    delivery = (
        (5, 8) if category == "personnalisé" else rng.choice(((1, 2), (2, 4), (2, 4), (3, 5)))
    )
    return Product(
        sku=sku,
        name=name,
        brand=brand,
        category=category,
        description=description,
        variants=variants,
        delivery_days=delivery,
        slug=f"{slugify(name)}-{sku.lower()}",
        audience=audience,
        tags=kind.tags,
    )


def _legacy_type(category: str, name: str) -> ProductType | None:
    folded = slugify(name)
    for kind in TYPES.get(category, ()):
        if folded.startswith(slugify(kind.noun)) or any(
            folded.startswith(slugify(tag)) for tag in kind.tags
        ):
            return kind
    return None


def _capacity_in(name: str) -> str | None:
    found = re.search(r"\d+(?:,\d)? L\b|\d[\d ]* mAh", name)
    return found.group(0) if found else None


def legacy_products() -> list[Product]:
    """The demo shop's seeded products, with variants where their kind has them."""
    from .legacy import CATALOGUE
    from .query import parse

    out = []
    for sku, name, category, price, stock in CATALOGUE:
        rng = random.Random(f"legacy:{sku}")
        kind = _legacy_type(category, name)
        brands = BRANDS.get(category) or ("Comptoir Essentiel",)
        audience = kind.audiences[0] if kind else "mixte"
        sizes: list[str] = []
        if kind is not None and kind.axis == CLOTHES:
            sizes = list(CLOTHES_SIZES[1:])
        elif kind is not None and kind.axis == SHOES:
            sizes = [str(n) for n in range(37, 44)]
        volume = re.search(r"(\d+) ml", name)
        said = parse(name)  # "Chemise en lin blanche": its one variant is white, "24 cm"…
        colour = said.colour
        variants: list[Variant] = []
        if sizes:
            shares = [rng.random() + 0.2 for _ in sizes]
            split = [int(stock * s / sum(shares)) for s in shares]
            split[0] += stock - sum(split)  # the same total stock as the demo shop
            for n, (size, count) in enumerate(zip(sizes, split, strict=True), 1):
                restock = rng.randint(5, 20) if count == 0 and stock == 0 else None
                variants.append(
                    Variant(
                        f"{sku}-{n:02d}",
                        price,
                        count,
                        size=size,
                        colour=colour,
                        restock_in_days=restock,
                    )
                )
        else:
            variants.append(
                Variant(
                    f"{sku}-01",
                    price,
                    stock,
                    colour=colour,
                    size=said.size,
                    capacity=_capacity_in(name),
                    volume_ml=int(volume.group(1)) if volume else None,
                    restock_in_days=rng.randint(5, 20) if stock == 0 else None,
                )
            )
        scent = ""
        if category == "parfum":
            scent = re.sub(r"^(Eau de parfum|Eau de toilette|Brume parfumée) | \d+ ml$", "", name)
        noun = kind.noun if kind else name.split()[0]
        category_for_text = category if category in OPENINGS else "maison"
        out.append(
            Product(
                sku=sku,
                name=name,
                brand=rng.choice(brands),
                category=category,
                description=_description(rng, category_for_text, "", "", noun, "", scent, audience),
                variants=tuple(variants),
                delivery_days=(5, 8) if category == "personnalisé" else (2, 4),
                slug=f"{slugify(name)}-{sku.lower()}",
                audience=audience,
                tags=kind.tags if kind else tuple(slugify(name).split("-")[:1]),
            )
        )
    return out


def iter_products(count: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> Iterator[Product]:
    """`count` products, the demo shop's first, streamed (constant memory)."""
    legacy = legacy_products()
    yield from legacy[:count]
    for position in range(max(0, count - len(legacy))):
        yield _generated(seed, position)


def generate(count: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[Product]:
    return list(iter_products(count, seed))


def brands() -> tuple[str, ...]:
    """Every brand the generator can use (the query parser recognises these)."""
    from .vocab import ALL_BRANDS

    return ALL_BRANDS
