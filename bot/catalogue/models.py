"""A product as the catalogue keeps it: frozen, slotted dataclasses.

Dataclasses rather than pydantic models (the shop's wire format, bot/clients/shop/models.py)
because the generator streams up to a million of them for the scale bench: a slotted dataclass
is built several times faster and weighs less. `to_dict()` gives the JSON-able form a wire
model can validate. Prices are euros with two decimals; dates relative to the catalogue's
build day are kept as day offsets so that one seed always gives the same catalogue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

SHOP_URL = "https://boutique-demo.comptoir.fr"


@dataclass(frozen=True, slots=True)
class Variant:
    """One buyable form of a product: a size, a colour, a volume or a capacity."""

    sku: str
    price: float
    stock: int
    size: str | None = None  # "M", "42", "240 x 260", "24 cm"
    colour: str | None = None  # "bleu marine"
    volume_ml: int | None = None  # 30, 50, 100
    capacity: str | None = None  # "1,7 L", "128 Go", "20 000 mAh"
    restock_in_days: int | None = None  # out of stock and a delivery from the supplier is due

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def restock_date(self, today: date | None = None) -> date | None:
        if self.restock_in_days is None:
            return None
        return (today or date.today()) + timedelta(days=self.restock_in_days)

    def label(self) -> str:
        """What tells this variant from its siblings, in French ("M, bleu marine", "50 ml")."""
        parts = [
            f"taille {self.size}" if self.size else "",
            self.colour or "",
            f"{self.volume_ml} ml" if self.volume_ml else "",
            self.capacity or "",
        ]
        return ", ".join(p for p in parts if p) or "modèle unique"


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue product and its variants; `sku` is the product's own reference."""

    sku: str
    name: str
    brand: str
    category: str
    description: str
    variants: tuple[Variant, ...]
    delivery_days: tuple[int, int] = (2, 4)  # when in stock
    slug: str = ""
    audience: str = "mixte"  # femme | homme | enfant | mixte
    tags: tuple[str, ...] = field(default=())  # product type words ("robe", "parfum")
    link: str = ""  # the shop's own product page, when the shop gave one

    @property
    def url(self) -> str:
        return self.link or f"{SHOP_URL}/produits/{self.slug}"

    @property
    def in_stock(self) -> bool:
        return any(v.in_stock for v in self.variants)

    @property
    def min_price(self) -> float:
        return min(v.price for v in self.variants)

    def text(self) -> str:
        """The product as one French text, for the dense and lexical indexes."""
        colours = sorted({v.colour for v in self.variants if v.colour})
        extra = f" Coloris : {', '.join(colours)}." if colours else ""
        return (
            f"{self.name} – {self.brand}. {self.category.capitalize()}. {self.description}{extra}"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["url"] = self.url
        data["delivery_days"] = list(self.delivery_days)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Product:
        return cls(
            sku=data["sku"],
            name=data["name"],
            brand=data["brand"],
            category=data["category"],
            description=data["description"],
            variants=tuple(Variant(**v) for v in data["variants"]),
            delivery_days=tuple(data.get("delivery_days", (2, 4))),  # type: ignore[arg-type]
            slug=data.get("slug", ""),
            audience=data.get("audience", "mixte"),
            tags=tuple(data.get("tags", ())),
            link=data.get("link", ""),
        )
