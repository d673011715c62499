"""The demo shop's catalogue API (issue 18): the feed Comptoir indexes, and one product's details.

Comptoir searches the catalogue by meaning with its own index (bot/catalogue), so the shop
only publishes it:
- `GET /v1/products?updated_since=&cursor=`: the products changed since a moment, 500 a page,
  in (updated_at, sku) order, so that a page never shifts when the catalogue changes during the
  read (keyset paging: the cursor says where the last page stopped). With `updated_since`, the
  SKUs removed since then come in `removed`; without it, the whole live catalogue.
- `GET /v1/products/{sku}`: one product, read fresh (price, stock) when a shopper sees it.
- `PUT` / `DELETE /v1/products/{sku}`: what the shop owner's own back office does when a product
  is created, changed or withdrawn; each bumps `updated_at`, so the next sync sees it.

Rows hold the wire `Product` as JSON: a page is assembled from them as is, with no parse and
no re-serialisation of 500 products. Feed times are UTC (see db.CatalogueProductRow).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import and_, or_, select

from bot.clients.shop import models as m
from bot.demo_shop import db
from bot.demo_shop.api import SessionDep, ShopHTTPError, _errors
from bot.demo_shop.seed import utc

PAGE_SIZE = 500
# `as_of` is the clock when the feed began, minus this: a write still committing at that moment
# (stamped a little earlier) is then read again by the next sync rather than missed. Reading a
# product twice is harmless, the client upserts it.
AS_OF_OVERLAP = timedelta(seconds=2)
NOT_FOUND = "Ce produit n'existe pas ou n'est plus en vente."
BAD_CURSOR = (
    "Ce curseur n'est pas valide : reprenez la lecture du catalogue depuis la première page."
)

router = APIRouter(prefix="/v1", tags=["catalogue"])


class _Cursor(BaseModel):
    """Where the previous page stopped, and the feed's own parameters (opaque to clients)."""

    after: datetime  # naive UTC of the last row served
    sku: str
    since: datetime | None  # naive UTC, the feed's updated_since
    as_of: datetime  # aware UTC, the same on every page of one feed


def _encode(cursor: _Cursor) -> str:
    return base64.urlsafe_b64encode(cursor.model_dump_json().encode()).decode().rstrip("=")


def _decode(raw: str) -> _Cursor:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        return _Cursor.model_validate_json(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):  # pydantic's ValidationError is a ValueError
        raise ShopHTTPError(422, "invalid_cursor", BAD_CURSOR) from None


def _now_utc(request: Request) -> datetime:
    return utc(request.app.state.clock())


def _aware(naive_utc: datetime) -> datetime:
    return naive_utc.replace(tzinfo=timezone.utc)


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type="application/json")


@router.get("/products", response_model=m.ProductPage, responses=_errors(422))
def products(
    request: Request,
    session: SessionDep,
    updated_since: datetime | None = None,
    cursor: str | None = None,
) -> Response:
    """The catalogue feed. `updated_since` is ISO 8601 (a time without offset is UTC); with a
    `cursor` (the previous page's `next_cursor`), it is ignored: the cursor carries it."""
    if cursor:
        where = _decode(cursor)
        since, as_of = where.since, where.as_of
    else:
        where = None
        since = None
        if updated_since is not None:  # naive UTC, like the rows (an offset-less time is UTC)
            since = utc(updated_since.replace(tzinfo=updated_since.tzinfo or timezone.utc))
        as_of = _aware(_now_utc(request) - AS_OF_OVERLAP)
    row = db.CatalogueProductRow
    query = select(row.sku, row.data, row.updated_at, row.removed)
    if since is None:
        query = query.where(row.removed.is_(False))  # a first sync has nothing to forget
    else:
        query = query.where(row.updated_at >= since)  # >=: the same instant is not lost
    if where is not None:
        query = query.where(
            or_(
                row.updated_at > where.after,
                and_(row.updated_at == where.after, row.sku > where.sku),
            )
        )
    rows = session.execute(query.order_by(row.updated_at, row.sku).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = (
        _encode(_Cursor(after=rows[-1].updated_at, sku=rows[-1].sku, since=since, as_of=as_of))
        if more
        else None
    )
    live = ",".join(r.data for r in rows if not r.removed)
    removed = [r.sku for r in rows if r.removed]
    body = (
        f'{{"products":[{live}],"removed":{json.dumps(removed)},'
        f'"next_cursor":{json.dumps(next_cursor)},"as_of":"{as_of.isoformat()}"}}'
    )
    return _json(body)


@router.get("/products/{sku:path}", response_model=m.Product, responses=_errors(404))
def product(sku: str, session: SessionDep) -> Response:
    """One product of the catalogue, as it is now."""
    found = session.get(db.CatalogueProductRow, sku.strip())
    if found is None or found.removed:
        raise ShopHTTPError(404, "product_not_found", NOT_FOUND)
    return _json(found.data)


@router.put("/products/{sku:path}", response_model=m.Product, responses=_errors(422))
def put_product(sku: str, body: m.Product, request: Request, session: SessionDep) -> Response:
    """Create or replace a product (the shop owner's back office); 201 when it is new."""
    if body.sku != sku:
        raise ShopHTTPError(
            422, "sku_mismatch", "La référence du produit ne correspond pas à celle de l'adresse."
        )
    now = _now_utc(request)
    data = body.model_copy(update={"updated_at": _aware(now)}).model_dump_json()
    found = session.get(db.CatalogueProductRow, sku)
    created = found is None or found.removed
    if found is None:
        session.add(db.CatalogueProductRow(sku=sku, data=data, updated_at=now, removed=False))
    else:
        found.data, found.updated_at, found.removed = data, now, False
    session.commit()
    return _json(data, 201 if created else 200)


@router.delete("/products/{sku:path}", status_code=204, responses=_errors(404))
def delete_product(sku: str, request: Request, session: SessionDep) -> Response:
    """Withdraw a product: it leaves the feed and stays as a tombstone in `removed`."""
    found = session.get(db.CatalogueProductRow, sku)
    if found is None or found.removed:
        raise ShopHTTPError(404, "product_not_found", NOT_FOUND)
    found.removed, found.updated_at = True, _now_utc(request)
    session.commit()
    return Response(status_code=204)
