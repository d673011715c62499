"""The demo shop keeps the links to a claim's photos (issue 19): the API, its database, and the
HTTP client the action server uses."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clients.shop.http import HttpShopClient
from bot.clients.shop.models import Claim, ClaimKind, OrderStatus, Verification
from bot.demo_shop import db, rules
from bot.settings import Settings

from .conftest import API_KEY, Orders, Sample

LINK = "https://sav.boutique.test/photos/Zm9vYmFyYmF6cXV4cXV1eHh5eno?expires=1900000000&sig=ab12"


def _recent_damage(orders: Orders, skip: int = 0) -> Sample:
    today: datetime = rules.shop_now()
    sample = orders.find(
        OrderStatus.DELIVERED,
        lambda o: (
            o.tracking.delivered_at is not None
            and (today - o.tracking.delivered_at.replace(tzinfo=None)).days < 20
        ),
        skip=skip,
    )
    orders.set_stock(sample.order.items[0].sku, 5)
    return sample


def _photos_in_db(orders: Orders, reference: str) -> list[str]:
    with Session(orders.engine) as session:
        claim = session.scalar(select(db.ClaimRow).where(db.ClaimRow.reference == reference))
        assert claim is not None
        return [photo.url for photo in claim.photos]


def test_a_claim_keeps_its_photos_and_says_so(client: TestClient, orders: Orders) -> None:
    sample = _recent_damage(orders)
    response = client.post(
        f"/v1/orders/{sample.number}/claims",
        json={**sample.by_email, "kind": "damaged", "description": "Anse cassée", "photos": [LINK]},
    )
    assert response.status_code == 201, response.text
    claim = Claim.model_validate(response.json())
    assert claim.photos == [LINK]
    assert _photos_in_db(orders, claim.reference) == [LINK]


def test_a_claim_without_photos_has_none(client: TestClient, orders: Orders) -> None:
    sample = _recent_damage(orders)
    response = client.post(
        f"/v1/orders/{sample.number}/claims", json={**sample.by_email, "kind": "damaged"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["photos"] == []
    assert _photos_in_db(orders, response.json()["reference"]) == []


def test_what_is_not_a_web_link_or_too_many_is_refused(client: TestClient, orders: Orders) -> None:
    sample = _recent_damage(orders)
    url = f"/v1/orders/{sample.number}/claims"
    base = {**sample.by_email, "kind": "damaged"}
    for photos in (["javascript:alert(1)"], ["file:///etc/passwd"], [LINK] * 6, ["x" * 1001]):
        assert client.post(url, json={**base, "photos": photos}).status_code == 422
    with Session(orders.engine) as session:
        assert session.scalars(select(db.ClaimPhotoRow)).all() == []


def test_the_http_client_sends_the_photos(live_server: str, orders: Orders) -> None:
    sample = _recent_damage(orders)
    settings = Settings.model_validate({"shop_api_url": live_server, "shop_api_key": API_KEY})
    shop = HttpShopClient.from_settings(settings)
    claim = shop.create_claim(
        sample.number,
        Verification(email=sample.email),
        ClaimKind.DAMAGED,
        "Anse cassée",
        photos=[LINK],
    )
    assert claim.photos == [LINK]
    assert _photos_in_db(orders, claim.reference) == [LINK]
