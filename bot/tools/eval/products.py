"""Product questions end to end: the dev set's questions (bot/tools/eval/products_fr.yml) sent
to a real stack, each as the first message of a fresh conversation, and the products the bot
listed read from its reply (one details button per product, in list order). hit@3: one of the
first three products listed is a right one; the route is read from the tracker as for every
message (end_to_end.py), so a product question the NLU sends elsewhere counts as a miss.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.catalogue.devset import DEV_SET, Question, load
from bot.settings import ROOT

SKU_KEY = "product_sku"  # in a details button's payload: '/ask_product{"product_sku": "…"}'
LISTED = 3


def listed_skus(messages: Sequence[Mapping[str, Any]]) -> list[str]:
    """The products a reply listed, in order, from its buttons' payloads."""
    skus: list[str] = []
    for message in messages:
        for button in message.get("buttons") or []:
            payload = str(button.get("payload") or "")
            if "{" not in payload:
                continue
            try:
                entities = json.loads(payload[payload.index("{") :])
            except ValueError:
                continue
            sku = entities.get(SKU_KEY) if isinstance(entities, dict) else None
            if sku and sku not in skus:
                skus.append(str(sku))
    return skus


def evaluate_products_e2e(
    ask: Callable[[str, int], tuple[str, list[dict[str, Any]]]],
    path: Path = DEV_SET,
    limit: int | None = None,
) -> dict[str, Any]:
    """`ask(text, number)` -> (route, the bot's messages) for a fresh conversation."""
    questions: list[Question] = load(path)[:limit] if limit else load(path)
    hit1 = hit3 = routed = 0
    by_kind: dict[str, list[bool]] = {}
    for number, question in enumerate(questions):
        route, messages = ask(question.text, number)
        listed = listed_skus(messages)[:LISTED]
        right = set(question.skus)
        routed += route == "faq:product"
        hit1 += bool(listed) and listed[0] in right
        top3 = bool(right.intersection(listed))
        hit3 += top3
        by_kind.setdefault(question.kind or "-", []).append(top3)
    n = max(1, len(questions))
    return {
        "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
        "n": len(questions),
        "hit@1": round(hit1 / n, 4),
        "hit@3": round(hit3 / n, 4),
        "product_route": round(routed / n, 4),
        "hit@3_by_kind": {k: round(sum(v) / len(v), 3) for k, v in sorted(by_kind.items())},
    }


def prepare_catalogue_vectors(log: Callable[[str], None]) -> None:
    """Embed the demo shop's catalogue into the action server's vector cache before the stack
    starts (minutes the first time, with progress in the log; seconds once cached), so that
    its product search is by meaning from the first question. Nothing to do when the settings
    search products by spelling only (COMPTOIR_CATALOGUE_ENCODER=none)."""
    from bot.catalogue.generate import generate
    from bot.catalogue.search import ProductSearch
    from bot.kb.encoders import get_encoder
    from bot.settings import get_settings

    settings = get_settings()
    name = settings.catalogue_encoder.strip().lower()
    if name in ("", "none"):
        log("catalogue: searched by spelling only (COMPTOIR_CATALOGUE_ENCODER)")
        return
    log(
        f"catalogue: vectors of the demo shop's products ({name}, cached in "
        f"{settings.catalogue_cache_dir})"
    )
    ProductSearch(generate(), get_encoder(name), cache_dir=settings.catalogue_cache_dir)
