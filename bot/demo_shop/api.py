"""HTTP API of the demo shop (FastAPI + SQLite), the back end the assistant talks to.

It behaves like a real shop's API: it checks an API key, shows an order only to whoever proves
it is theirs, and enforces its own rules (bot/demo_shop/rules.py) whatever the client believes.
Every 4xx body is `{"detail": {"code": ..., "message": <French>}}` (models.ApiError).
The proof of ownership (e-mail or postcode, models.Verification) always travels in a JSON body,
never in a URL: URLs end up in access logs, proxies' logs and browsers' histories. Hence the
reads that need a proof (tracking, refunds) are POSTs that change nothing, like verify.
Run: `python -m bot.demo_shop serve` or `uvicorn --factory bot.demo_shop.api:create_app`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel
from sqlalchemy import CursorResult, Update, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.clients.shop import models as m
from bot.clients.shop.contract import CLIENT_HEADER
from bot.demo_shop import db, rules, seed
from bot.settings import get_settings


class ShopHTTPError(Exception):
    """A refusal with a stable code and a French message for the shopper."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code, self.code, self.message = status_code, code, message


class ErrorBody(BaseModel):
    detail: m.ApiError


def _errors(*codes: int) -> dict[int | str, dict]:
    return {code: {"model": ErrorBody} for code in codes}


class FailureThrottle:
    """Stops proof guessing (a postcode has only 5 digits) without handing a weapon to the
    guesser: wrong proofs are counted per order *and client* (the X-Comptoir-Client header the
    assistant sends, else the caller's address), so one client's failures never lock the owner
    out; a higher cap per order, whoever asks, bounds a guesser who changes clients."""

    def __init__(self, limit: int = 10, order_limit: int = 100, window_s: float = 900.0) -> None:
        self.limit, self.order_limit, self.window_s = limit, order_limit, window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> int:
        recent = self._failures.get(key)
        cutoff = time.monotonic() - self.window_s
        while recent and recent[0] < cutoff:
            recent.popleft()
        if recent is not None and not recent:
            del self._failures[key]
            return 0
        return len(recent or ())

    def blocked(self, order: str, client: str) -> bool:
        with self._lock:
            return (
                self._recent((order, client)) >= self.limit
                or self._recent((order, "")) >= self.order_limit
            )

    def record(self, order: str, client: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._failures.setdefault((order, client), deque()).append(now)
            self._failures.setdefault((order, ""), deque()).append(now)


def _client_of(request: Request) -> str:
    given = request.headers.get(CLIENT_HEADER, "").strip()[:128]
    return f"c:{given}" if given else f"ip:{request.client.host if request.client else '?'}"


api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Clé d'API de la boutique"
)


def _key_ok(request: Request, key: str | None) -> bool:
    return key is not None and secrets.compare_digest(
        key.encode(), request.app.state.api_key.encode()
    )


def require_key(request: Request, key: Annotated[str | None, Security(api_key_header)]) -> None:
    if not _key_ok(request, key):
        raise ShopHTTPError(401, "unauthorized", "Clé d'API manquante ou invalide.")


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
router = APIRouter(
    prefix="/v1", dependencies=[Depends(require_key)], responses=_errors(401, 404, 403, 422, 429)
)


def verified_order(
    request: Request, session: Session, number: str, proof: m.Verification
) -> db.OrderRow:
    """The order, only for whoever gives its e-mail or postcode; says nothing otherwise."""
    has_email = bool(proof.email and proof.email.strip())
    has_postcode = bool(proof.postcode and proof.postcode.strip())
    if not (has_email or has_postcode):
        raise ShopHTTPError(
            422, "proof_required", "Indiquez l'adresse e-mail ou le code postal de la commande."
        )
    if has_postcode and not rules.valid_postcode(proof.postcode or ""):
        raise ShopHTTPError(422, "invalid_postcode", "Le code postal doit comporter 5 chiffres.")
    normalised = rules.normalise_order_number(number)
    order = db.find_order(session, normalised) if normalised else None
    if order is None:
        message = (
            f"Aucune commande ne porte le numéro {normalised}."
            if normalised
            else "Ce numéro de commande n'est pas valide : il se compose de CM suivi de "
            "6 chiffres (par exemple CM482913)."
        )
        raise ShopHTTPError(404, "order_not_found", message)
    throttle: FailureThrottle = request.app.state.throttle
    client = _client_of(request)
    if throttle.blocked(order.number, client):
        raise ShopHTTPError(
            429,
            "too_many_attempts",
            "Trop de tentatives de vérification pour "
            "cette commande : réessayez dans quelques minutes.",
        )
    postcodes = {order.shipping_address.postcode, order.billing_address.postcode}
    if not rules.proof_matches(proof.email, proof.postcode, order.customer.email, postcodes):
        throttle.record(order.number, client)
        raise ShopHTTPError(
            403,
            "verification_failed",
            "Les informations fournies ne correspondent pas à cette commande.",
        )
    return order


def label_token(secret: str, rma: str, expires: int) -> str:
    """Signature that lets a shopper's browser open the label without the API key, until
    `expires` (Unix time). Its own secret: knowing the API key does not forge labels."""
    message = f"{rma}:{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def label_url_for(request: Request) -> Callable[[str], str]:
    base = str(request.base_url).rstrip("/")
    state = request.app.state
    expires = int(state.clock().timestamp()) + state.label_link_days * 86400

    def url(rma: str) -> str:
        token = label_token(state.label_secret, rma, expires)
        return f"{base}/labels/{rma}.pdf?expires={expires}&token={token}"

    return url


def to_order(request: Request, order: db.OrderRow) -> m.Order:
    return db.order_to_model(order, request.app.state.clock(), label_url_for(request))


def _changed(session: Session, statement: Update) -> int:
    """Rows a conditional UPDATE changed: the state check that concurrent calls cannot race."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def _skus(order: db.OrderRow, raw: list[str]) -> list[db.OrderLineRow]:
    """Order lines for the requested SKUs; 422 for any SKU that is not in the order."""
    wanted = list(dict.fromkeys(s.strip().upper() for s in raw if s and s.strip()))
    by_sku = {line.sku: line for line in order.lines}
    unknown = [s[:40] for s in wanted if s not in by_sku]
    if unknown:
        raise ShopHTTPError(
            422,
            "unknown_sku",
            f"Ces références ne figurent pas dans la commande : {', '.join(unknown)}.",
        )
    return [by_sku[s] for s in wanted]


@router.post("/orders/{number}/verify", response_model=m.Order)
def verify_order(
    number: str, proof: m.Verification, request: Request, session: SessionDep
) -> m.Order:
    """Check the proof and return the order, with what the shopper may do with it."""
    return to_order(request, verified_order(request, session, number, proof))


@router.post("/orders/{number}/tracking", response_model=m.Tracking)
def tracking(
    number: str, proof: m.Verification, request: Request, session: SessionDep
) -> m.Tracking:
    """Where the parcel is. A read, sent as POST so that the proof stays out of URLs (and so
    out of access logs and proxies' logs); the same call may be repeated safely."""
    order = verified_order(request, session, number, proof)
    return db.tracking_to_model(order, request.app.state.clock())


@router.post("/orders/{number}/cancel", response_model=m.Order, responses=_errors(409))
def cancel_order(
    number: str, proof: m.Verification, request: Request, session: SessionDep
) -> m.Order:
    """Cancel before shipping; a paid order is refunded."""
    order = verified_order(request, session, number, proof)
    blocker = rules.cancel_blocker(order.status_enum)
    if blocker:
        raise ShopHTTPError(409, "not_cancellable", blocker)
    now = request.app.state.clock()
    if (
        _changed(
            session,
            update(db.OrderRow)
            .where(db.OrderRow.id == order.id, db.OrderRow.status.in_(("paid", "preparing")))
            .values(status=m.OrderStatus.CANCELLED.value, cancelled_at=now),
        )
        != 1
    ):
        session.rollback()
        raise ShopHTTPError(
            409,
            "not_cancellable",
            "La commande vient d'être expédiée : elle ne peut plus être annulée.",
        )
    if order.paid_at is not None:
        order.refunds.append(
            db.RefundRow(
                reference=db.next_reference(session, "RBT", now.year),
                amount_cents=order.subtotal_cents + order.shipping_cents,
                status="processing",
                reason="Annulation de la commande",
                created_at=now,
                expected_by=rules.refund_due(now.date(), rules.CANCEL_REFUND_DAYS),
                refunded_at=None,
            )
        )
    session.commit()
    return to_order(request, order)


@router.post("/orders/{number}/address", response_model=m.Order, responses=_errors(409))
def change_address(
    number: str, change: m.AddressChange, request: Request, session: SessionDep
) -> m.Order:
    """New delivery address, as long as the parcel has not left."""
    order = verified_order(request, session, number, change)
    blocker = rules.address_blocker(order.status_enum)
    if blocker:
        raise ShopHTTPError(409, "address_locked", blocker)
    address = db.AddressRow(customer_id=order.customer_id, **change.address.model_dump())
    session.add(address)
    session.flush()
    if (
        _changed(
            session,
            update(db.OrderRow)
            .where(db.OrderRow.id == order.id, db.OrderRow.status.in_(("paid", "preparing")))
            .values(shipping_address_id=address.id),
        )
        != 1
    ):
        session.rollback()
        raise ShopHTTPError(
            409,
            "address_locked",
            "Le colis vient de partir : l'adresse ne peut plus être modifiée.",
        )
    session.commit()
    session.refresh(order)
    return to_order(request, order)


@router.post(
    "/orders/{number}/returns", status_code=201, response_model=m.ReturnInfo, responses=_errors(409)
)
def create_return(
    number: str, body: m.ReturnRequest, request: Request, session: SessionDep
) -> m.ReturnInfo:
    """Open a return (RMA) with a free label, if the order and every article allow it."""
    order = verified_order(request, session, number, body)
    lines = _skus(order, body.skus)
    if not lines:
        raise ShopHTTPError(422, "no_items", "Indiquez au moins un article à retourner.")
    now = request.app.state.clock()
    order_blocker = rules.order_return_blocker(order.status_enum, order.delivered_at, now.date())
    if order_blocker:
        raise ShopHTTPError(409, *order_blocker)
    refused = [
        (
            line.name,
            rules.item_return_blocker(line.category, line.opened, line.return_id is not None),
        )
        for line in lines
    ]
    refused = [(name, reason) for name, reason in refused if reason]
    if refused:
        details = " ; ".join(f"« {name} » : {reason}" for name, reason in refused)
        raise ShopHTTPError(409, "not_returnable", f"Retour impossible pour : {details}.")
    ret = db.ReturnRow(
        rma=db.next_reference(session, "RMA", now.year),
        order_id=order.id,
        status="created",
        reason=body.reason[:500],
        created_at=now,
        received_at=None,
    )
    session.add(ret)
    session.flush()
    ids = [line.id for line in lines]
    if _changed(
        session,
        update(db.OrderLineRow)
        .where(db.OrderLineRow.id.in_(ids), db.OrderLineRow.return_id.is_(None))
        .values(return_id=ret.id),
    ) != len(ids):  # another request returned one first
        session.rollback()
        raise ShopHTTPError(409, "not_returnable", f"Retour impossible : {rules.ALREADY_RETURNED}.")
    remaining = session.scalar(
        select(func.count())
        .select_from(db.OrderLineRow)
        .where(db.OrderLineRow.order_id == order.id, db.OrderLineRow.return_id.is_(None))
    )
    amount = sum(line.unit_price_cents * line.quantity for line in lines)
    if not remaining:  # whole order sent back: the initial delivery cost is refunded too
        amount += order.shipping_cents
        order.status = m.OrderStatus.RETURNED.value
    start = rules.refund_due(now.date(), rules.RETURN_TRANSIT_DAYS)
    session.add(
        db.RefundRow(
            reference=db.next_reference(session, "RBT", now.year),
            order_id=order.id,
            return_id=ret.id,
            amount_cents=amount,
            status="pending",
            reason=f"Retour {ret.rma}",
            created_at=now,
            expected_by=rules.refund_due(start, rules.REFUND_DELAY_DAYS),
            refunded_at=None,
        )
    )
    session.commit()
    session.refresh(ret)
    return db.return_to_model(ret, label_url_for(request))


@router.post("/orders/{number}/refunds", response_model=list[m.Refund])
def refunds(
    number: str, proof: m.Verification, request: Request, session: SessionDep
) -> list[m.Refund]:
    """The order's refunds, read-only (refunds come from cancellations, returns and claims).
    POST for the same reason as the tracking: the proof travels in the body, never in a URL."""
    order = verified_order(request, session, number, proof)
    return [db.refund_to_model(r) for r in order.refunds]


@router.post(
    "/orders/{number}/claims", status_code=201, response_model=m.Claim, responses=_errors(409)
)
def create_claim(
    number: str, body: m.ClaimRequest, request: Request, session: SessionDep
) -> m.Claim:
    """Damaged, wrong or missing parcel: reship, refund or investigate, per the shop rules."""
    order = verified_order(request, session, number, body)
    lines = _skus(order, body.skus) or list(order.lines)
    now = request.app.state.clock()
    stock = {
        p.sku: p
        for p in session.scalars(
            select(db.ProductRow).where(db.ProductRow.sku.in_([line.sku for line in lines]))
        )
    }
    in_stock = all(line.sku in stock and stock[line.sku].stock >= line.quantity for line in lines)
    ship = order.shipment
    decision = rules.claim_decision(
        body.kind,
        order.status_enum,
        order.delivered_at,
        ship.expected_delivery if ship else None,
        now,
        in_stock,
    )
    if decision.code:
        raise ShopHTTPError(409, decision.code, decision.message)
    existing = next((c for c in order.claims if c.kind == body.kind.value), None)
    if existing:
        raise ShopHTTPError(
            409,
            "claim_exists",
            "Une réclamation de ce type est déjà ouverte "
            f"pour cette commande (référence {existing.reference}).",
        )
    reference = db.next_reference(session, "RCL", now.year)
    assert decision.resolution is not None
    order.claims.append(
        db.ClaimRow(
            reference=reference,
            kind=body.kind.value,
            description=body.description[:2000],
            skus=",".join(line.sku for line in lines),
            resolution=decision.resolution,
            message=decision.message,
            created_at=now,
            photos=[db.ClaimPhotoRow(url=url) for url in body.photos],
        )
    )
    if decision.resolution == "reship":
        for line in lines:
            stock[line.sku].stock -= line.quantity
    elif decision.resolution == "refund":
        order.refunds.append(
            db.RefundRow(
                reference=db.next_reference(session, "RBT", now.year),
                amount_cents=sum(line.unit_price_cents * line.quantity for line in lines),
                status="processing",
                reason=f"Réclamation {reference}",
                created_at=now,
                expected_by=rules.refund_due(now.date(), rules.CANCEL_REFUND_DAYS),
                refunded_at=None,
            )
        )
    session.commit()
    return m.Claim(
        reference=reference,
        kind=body.kind,
        resolution=decision.resolution,
        message=decision.message,
        photos=list(body.photos),
    )


@router.get("/shipping-methods", response_model=list[m.ShippingMethod])
def shipping_methods() -> list[m.ShippingMethod]:
    return rules.SHIPPING_METHODS


@router.get("/return-policy", response_model=m.ReturnPolicy)
def return_policy() -> m.ReturnPolicy:
    return rules.RETURN_POLICY


def label(
    rma: str,
    request: Request,
    session: SessionDep,
    token: str | None = None,
    expires: int | None = None,
    key: Annotated[str | None, Security(api_key_header)] = None,
) -> Response:
    """The prepaid return label: opened by the shopper's browser, hence the signed link."""
    state = request.app.state
    good_token = (
        bool(token)
        and expires is not None
        and hmac.compare_digest(token or "", label_token(state.label_secret, rma, expires or 0))
    )
    if good_token and (expires or 0) < state.clock().timestamp():
        raise ShopHTTPError(
            410,
            "link_expired",
            "Ce lien d'étiquette a expiré : demandez-en un "
            "nouveau à l'assistant ou au service client.",
        )
    if not (good_token or _key_ok(request, key)):
        raise ShopHTTPError(401, "unauthorized", "Lien d'étiquette invalide.")
    ret = session.scalar(select(db.ReturnRow).where(db.ReturnRow.rma == rma))
    if ret is None:
        raise ShopHTTPError(404, "return_not_found", "Aucun retour ne porte ce numéro.")
    return Response(
        db.return_label_pdf(ret),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{ret.rma}.pdf"'},
    )


def health(session: SessionDep) -> dict[str, str]:
    session.execute(text("SELECT 1"))
    return {"status": "ok"}


async def _shop_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ShopHTTPError)
    return JSONResponse(
        {"detail": {"code": exc.code, "message": exc.message}}, status_code=exc.status_code
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422, reshaped to ApiError; never echoes the input (it may hold an e-mail)."""
    assert isinstance(exc, RequestValidationError)
    fields = sorted(
        {".".join(str(p) for p in e.get("loc", ())[1:]) or "corps" for e in exc.errors()}
    )
    message = "Requête invalide : vérifiez " + ", ".join(f"« {f} »" for f in fields) + "."
    return JSONResponse(
        {"detail": {"code": "invalid_request", "message": message}}, status_code=422
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = {
        404: ("not_found", "Ressource introuvable."),
        405: ("method_not_allowed", "Méthode non autorisée."),
    }.get(exc.status_code, ("http_error", "Requête refusée."))
    return JSONResponse(
        {"detail": {"code": code, "message": message}},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def create_app(
    db_url: str | None = None, api_key: str | None = None, label_secret: str | None = None
) -> FastAPI:
    """The demo shop app; creates and seeds its database at start-up when it is empty."""
    settings = get_settings()
    engine = db.make_engine(db_url or settings.shop_db_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        seed.ensure_seeded(engine, settings.shop_seed)
        yield
        engine.dispose()

    app = FastAPI(
        title="Boutique de démonstration Comptoir",
        version="1.0",
        description="API de la boutique de démonstration : commandes, suivi, "
        "annulations, retours, remboursements, réclamations et catalogue.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.sessions = sessionmaker(engine, expire_on_commit=True)
    app.state.api_key = api_key or settings.secret("shop_api_key")
    app.state.label_secret = label_secret or settings.secret("shop_label_secret")
    app.state.label_link_days = settings.shop_label_link_days
    app.state.clock = rules.shop_now  # tests may pin the shop's clock
    app.state.throttle = FailureThrottle()
    app.include_router(router)
    from bot.demo_shop import catalogue_api  # here: it imports this module's helpers

    app.include_router(
        catalogue_api.router, dependencies=[Depends(require_key)], responses=_errors(401)
    )
    app.add_api_route(
        "/labels/{rma}.pdf",
        label,
        methods=["GET"],
        tags=["retours"],
        response_class=Response,
        responses=_errors(401, 404, 410),
    )
    app.add_api_route("/health", health, methods=["GET"], tags=["santé"])
    app.add_exception_handler(ShopHTTPError, _shop_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    return app
