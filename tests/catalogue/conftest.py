"""Fixtures for the catalogue tests: the generated catalogue, a small hand-made one, and a
crude but real encoder (hashed character trigrams) so the dense machinery runs without the
e5 model; tests that load e5 itself are marked `integration`."""

from __future__ import annotations

import hashlib
from typing import Sequence

import numpy as np
import pytest

from bot.catalogue.generate import generate
from bot.catalogue.models import Product, Variant
from bot.core.normalise import normalise


class TrigramEncoder:
    """Bag of hashed character trigrams, L2-normalised: similar spellings, similar vectors."""

    name = "test-trigrams"
    dimension = 256
    package = "tests"
    document_prompt = None
    checksum = "0" * 64

    def encode(
        self,
        texts: Sequence[str],
        normalize_embeddings: bool = True,
        prompt_name: str | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        items = [texts] if isinstance(texts, str) else list(texts)
        out = np.zeros((len(items), self.dimension), dtype=np.float32)
        for row, text in enumerate(items):
            folded = f"  {normalise(text)}  "
            for i in range(len(folded) - 2):
                digest = hashlib.md5(folded[i : i + 3].encode()).digest()
                out[row, int.from_bytes(digest[:4], "little") % self.dimension] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-9)


def _sized(
    sku: str,
    price: float,
    colours: Sequence[str],
    sizes: Sequence[str],
    empty: set[tuple[str, str]] = frozenset(),
) -> tuple[Variant, ...]:  # type: ignore[assignment]
    out = []
    for colour in colours:
        for size in sizes:
            stock = 0 if (colour, size) in empty else 5
            out.append(
                Variant(
                    f"{sku}-{len(out) + 1:02d}",
                    price,
                    stock,
                    size=size,
                    colour=colour,
                    restock_in_days=10 if stock == 0 else None,
                )
            )
    return tuple(out)


def small_catalogue() -> list[Product]:
    def product(
        sku: str,
        name: str,
        brand: str,
        category: str,
        variants: tuple[Variant, ...],
        audience: str = "mixte",
        tags: tuple[str, ...] = (),
    ) -> Product:
        return Product(
            sku,
            name,
            brand,
            category,
            f"{name}, une belle pièce.",
            variants,
            slug=sku.lower(),
            audience=audience,
            tags=tags,
        )

    perfume = lambda sku, price, empty=(): tuple(  # noqa: E731
        Variant(
            f"{sku}-{n}",
            round(price * f, 2),
            0 if ml in empty else 4,
            volume_ml=ml,
            restock_in_days=12 if ml in empty else None,
        )
        for n, (ml, f) in enumerate(((30, 1.0), (50, 1.5), (100, 2.0)), 1)
    )
    return [
        product(
            "MOD-1",
            "Bottines chelsea en cuir",
            "Atelier Sauvage",
            "mode",
            _sized("MOD-1", 89.0, ["noir", "camel"], ["38", "40", "42"], {("noir", "42")}),
            "femme",
            ("bottines", "boots"),
        ),
        product(
            "MOD-2",
            "Bottines à lacets en daim",
            "Belle Mûre",
            "mode",
            _sized("MOD-2", 129.0, ["noir"], ["40", "42", "44"]),
            "homme",
            ("bottines",),
        ),
        product(
            "MOD-3",
            "Robe midi en lin",
            "Maison Lavande",
            "mode",
            _sized("MOD-3", 69.0, ["rouge", "bleu marine"], ["S", "M", "L"]),
            "femme",
            ("robe",),
        ),
        product(
            "MOD-4",
            "Robe longue en soie",
            "Filature Dorée",
            "mode",
            _sized("MOD-4", 149.0, ["rouge"], ["S", "M"]),
            "femme",
            ("robe",),
        ),
        product(
            "PAR-1",
            "Eau de parfum Iris poudré",
            "Maison Solane",
            "parfum",
            perfume("PAR-1", 60.0, {50}),
            "femme",
            ("parfum", "eau de parfum"),
        ),
        product(
            "PAR-2",
            "Eau de toilette Vétiver",
            "Grasse et Fils",
            "parfum",
            perfume("PAR-2", 40.0),
            "homme",
            ("parfum", "eau de toilette"),
        ),
        product(
            "HTC-1",
            "Écouteurs sans fil Bluetooth",
            "Kelvin",
            "high-tech",
            (Variant("HTC-1-01", 79.0, 3, colour="noir"),),
            tags=("ecouteurs",),
        ),
        product(
            "HTC-2",
            "Casque audio à réduction de bruit",
            "Ondine Audio",
            "high-tech",
            (Variant("HTC-2-01", 199.0, 0, colour="noir", restock_in_days=7),),
            tags=("casque",),
        ),
        product(
            "MAI-1",
            "Plaid en laine tricotée",
            "Maison Ocre",
            "maison",
            (Variant("MAI-1-01", 49.9, 8, colour="écru"),),
            tags=("plaid",),
        ),
        product(
            "ELM-1",
            "Bouilloire électrique inox",
            "Volta",
            "petit électroménager",
            tuple(
                Variant(f"ELM-1-0{n}", p, 6, capacity=c)
                for n, (c, p) in enumerate((("1 L", 39.0), ("1,7 L", 49.0)), 1)
            ),
            tags=("bouilloire",),
        ),
    ]


@pytest.fixture()
def small() -> list[Product]:
    return small_catalogue()


@pytest.fixture(scope="session")
def catalogue() -> list[Product]:
    return generate()


@pytest.fixture()
def encoder() -> TrigramEncoder:
    return TrigramEncoder()
