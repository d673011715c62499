"""The catalogue changes in the shop and the bot sees it, with no retraining and no restart:
a product the shop starts selling is found, then sold out, then withdrawn (the demo shop's
PUT/DELETE /v1/products are what the shop owner's back office would do)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from bot.core import replies
from tests.stack import Stack, texts

pytestmark = pytest.mark.e2e

SKU = "TRO-9001"


def scooter(stock: int) -> dict:
    return {
        "sku": SKU,
        "name": "Trottinette électrique pliable",
        "brand": "Volta",
        "category": "high-tech",
        "description": "Trottinette électrique pliable, autonomie 25 km, roues de 8,5 pouces.",
        "url": "https://boutique-demo.comptoir.fr/produits/trottinette-electrique-pliable",
        "tags": ["trottinette"],
        "variants": [{"sku": f"{SKU}-N", "price": 349.0, "stock": stock, "colour": "noir"}],
    }


def shop(stack: Stack, method: str, body: dict | None = None) -> None:
    response = requests.request(
        method,
        f"{stack.shop_url}/v1/products/{SKU}",
        json=body,
        headers={"X-API-Key": stack.env["COMPTOIR_SHOP_API_KEY"]},
        timeout=10,
    )
    response.raise_for_status()


def ask(stack: Stack, question: str) -> str:
    time.sleep(1.5)  # the action server asks the shop for changes at most every second here
    return texts(stack.say(f"catalogue-{uuid.uuid4().hex[:8]}", question))


def test_a_product_added_sold_out_and_withdrawn_is_seen_live(stack: Stack):
    question = "vous vendez des trottinettes électriques pliables ?"
    try:
        shop(stack, "PUT", scooter(stock=12))
        said = ask(stack, question)
        assert "Trottinette électrique pliable" in said and "349,00 €" in said
        assert "en stock" in said
        shop(stack, "PUT", scooter(stock=0))
        said = ask(stack, question)
        assert "Trottinette électrique pliable" in said
        assert replies.PRODUCT_OUT_OF_STOCK in said
    finally:
        shop(stack, "DELETE")
    said = ask(stack, question)
    assert "Trottinette électrique pliable" not in said
