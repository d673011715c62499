"""Hermetic action tests: named tracker fixtures, a CollectingDispatcher and an in-memory shop
that behaves like the shop client (same exceptions, same models); no network."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine

from actions import common, handoff, knowledge
from bot.clients.backoffice.client import BackOfficeUnavailable, HandoffNotOpen
from bot.clients.backoffice.models import HandoffRequest, HandoffTicket
from bot.clients.shop.contract import NotAllowed, OrderNotFound, ShopUnavailable, VerificationFailed
from bot.clients.shop.models import (
    Address,
    Claim,
    ClaimKind,
    Item,
    Order,
    OrderStatus,
    Refund,
    ReturnInfo,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
    TrackingEvent,
    Verification,
)
from bot.dialogue.proof_throttle import Limit, ProofThrottle

EMAIL, POSTCODE = "camille.martin@exemple.fr", "69003"
NOW = datetime(2026, 11, 20, 10, 0)


def make_order(
    number: str = "CM100234", status: OrderStatus = OrderStatus.SHIPPED, **changes: Any
) -> Order:
    shipped = status not in (OrderStatus.PAID, OrderStatus.PREPARING, OrderStatus.CANCELLED)
    order = Order(
        number=number,
        status=status,
        placed_at=NOW - timedelta(days=3),
        first_name="Camille",
        shipping_method="colissimo",
        shipping_address=Address(
            name="Camille Martin", line1="8 rue Garibaldi", postcode=POSTCODE, city="Lyon"
        ),
        items=[
            Item(
                sku="PULL-01",
                name="Pull en laine mérinos",
                category="mode",
                quantity=1,
                unit_price=59.0,
                returnable=status == OrderStatus.DELIVERED,
            ),
            Item(
                sku="PARF-02",
                name="Eau de parfum 50 ml",
                category="parfum",
                quantity=1,
                unit_price=45.5,
                returnable=False,
                return_blocker="produit d'hygiène ouvert",
            ),
        ],
        total=104.5,
        tracking=Tracking(
            carrier="Colissimo" if shipped else None,
            tracking_number="6A12345678901" if shipped else None,
            tracking_url="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
            if shipped
            else None,
            status=status,
            expected_delivery=date(2026, 11, 24),
            delivered_at=NOW if status == OrderStatus.DELIVERED else None,
            delayed=status == OrderStatus.DELAYED,
            events=[
                TrackingEvent(
                    at=NOW - timedelta(hours=5),
                    place="Plateforme de Wissous",
                    description="Colis en cours d'acheminement",
                )
            ]
            if shipped
            else [],
        ),
        cancellable=status in (OrderStatus.PAID, OrderStatus.PREPARING),
        address_changeable=status in (OrderStatus.PAID, OrderStatus.PREPARING),
        return_deadline=date(2026, 12, 4) if status == OrderStatus.DELIVERED else None,
    )
    return order.model_copy(update=changes)


class FakeShop:
    """In-memory shop: one order per number, the e-mail/postcode rule, recorded calls."""

    def __init__(self, *orders: Order, down: bool = False) -> None:
        self.orders = {order.number: order for order in orders}
        self.down = down
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.clients: list[str | None] = []  # who asked each verify_order

    def _check(self, name: str, number: str, proof: Verification, *rest: Any) -> Order:
        self.calls.append((name, (number, proof, *rest)))
        if self.down:
            raise ShopUnavailable("down")
        if number not in self.orders:
            raise OrderNotFound("unknown")
        if proof.email != EMAIL and proof.postcode != POSTCODE:
            raise VerificationFailed("mismatch")
        return self.orders[number]

    def verify_order(self, number: str, proof: Verification, client: str | None = None) -> Order:
        self.clients.append(client)
        return self._check("verify", number, proof)

    def tracking(self, number: str, proof: Verification) -> Tracking:
        return self._check("tracking", number, proof).tracking

    def cancel_order(self, number: str, proof: Verification) -> Order:
        order = self._check("cancel", number, proof)
        if not order.cancellable:
            raise NotAllowed("Commande déjà expédiée.", code="not_cancellable")
        refund = Refund(
            reference="RB-1",
            amount=order.total,
            status="pending",
            reason="Annulation",
            created_at=NOW,
            expected_by=date(2026, 12, 4),
            refunded_at=None,
        )
        order = order.model_copy(
            update={"status": OrderStatus.CANCELLED, "cancellable": False, "refunds": [refund]}
        )
        self.orders[number] = order
        return order

    def change_address(self, number: str, proof: Verification, address: Address) -> Order:
        order = self._check("address", number, proof, address)
        order = order.model_copy(update={"shipping_address": address})
        self.orders[number] = order
        return order

    def create_return(
        self, number: str, proof: Verification, skus: list[str], reason: str
    ) -> ReturnInfo:
        self._check("return", number, proof, skus, reason)
        return ReturnInfo(
            rma="RMA-2026-000001",
            status="created",
            items=skus,
            label_url="http://127.0.0.1:8100/labels/RMA-2026-000001.pdf",
            instructions="Déposez le colis dans un bureau de poste.",
            created_at=NOW,
            refund_delay_days=14,
        )

    def refunds(self, number: str, proof: Verification) -> list[Refund]:
        return self._check("refunds", number, proof).refunds

    def create_claim(
        self,
        number: str,
        proof: Verification,
        kind: ClaimKind,
        description: str = "",
        skus: list[str] | None = None,
    ) -> Claim:
        self._check("claim", number, proof, kind, description)
        return Claim(reference="RCL-000001", kind=kind, resolution="reship", message="Renvoi")

    def shipping_methods(self) -> list[ShippingMethod]:
        self.calls.append(("shipping_methods", ()))
        if self.down:
            raise ShopUnavailable("down")
        return [
            ShippingMethod(
                code="colissimo",
                name="Colissimo à domicile",
                carrier="Colissimo",
                min_days=2,
                max_days=3,
                price=4.9,
                free_above=60.0,
            ),
            ShippingMethod(
                code="chrono",
                name="Chronopost express",
                carrier="Chronopost",
                min_days=1,
                max_days=1,
                price=9.9,
                free_above=None,
            ),
        ]

    def return_policy(self) -> ReturnPolicy:
        return ReturnPolicy(
            withdrawal_days=14, refund_delay_days=14, rules=[], non_returnable_categories=[]
        )


class FakeBackOffice:
    """In-memory back office with the client's interface: records hand-offs, relayed messages
    and ratings; `down` makes every call fail like an unreachable server."""

    def __init__(self, agents_online: int = 2, open_now: bool = True, down: bool = False) -> None:
        self.agents_online, self.open_now, self.down = agents_online, open_now, down
        self.handoffs: list[HandoffRequest] = []
        self.messages: list[tuple[str, str]] = []
        self.ratings: list[tuple[str, int]] = []
        self.closed: set[str] = set()

    def _check(self) -> None:
        if self.down:
            raise BackOfficeUnavailable("down")

    def open_handoff(self, request: HandoffRequest) -> HandoffTicket:
        self._check()
        self.handoffs.append(request)
        staffed = self.open_now and self.agents_online > 0
        return HandoffTicket(
            id=len(self.handoffs),
            conversation_id=request.conversation_id,
            status="waiting",
            open_now=self.open_now,
            agents_online=self.agents_online,
            expected_wait_minutes=5 if staffed else None,
            answer_by=None if staffed else datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc),
        )

    def relay(self, conversation_id: str, text: str) -> None:
        self._check()
        if conversation_id in self.closed:
            raise HandoffNotOpen(conversation_id)
        self.messages.append((conversation_id, text))

    def rate(self, conversation_id: str, rating: int) -> None:
        self._check()
        self.ratings.append((conversation_id, rating))


@pytest.fixture(autouse=True)
def back_office() -> Iterator[FakeBackOffice]:
    """Every action test runs with an in-memory back office: no test reaches a network."""
    fake = FakeBackOffice()
    handoff.use_back_office(fake)  # type: ignore[arg-type]
    yield fake
    handoff.use_back_office(None)


@pytest.fixture(autouse=True)
def no_knowledge_base(monkeypatch: pytest.MonkeyPatch) -> None:
    """Actions that may ask the knowledge base find nothing, unless a test says otherwise:
    no test reads the published index."""
    from bot.kb import SearchResult

    monkeypatch.setattr(
        knowledge,
        "search_kb",
        lambda query, k=3, text_vector=None: SearchResult(
            query=query, outcome="none", confidence=0.0, hits=()
        ),
    )


@pytest.fixture(autouse=True)
def proof_counter() -> Iterator[ProofThrottle]:
    """Every action test counts wrong proofs in its own in-memory database."""
    counter = ProofThrottle(
        create_engine("sqlite://"), {"conversation": Limit(5, 900), "ip": Limit(10, 900)}
    )
    common.use_throttle(counter)
    yield counter
    common.use_throttle(None)


@pytest.fixture
def shop() -> Iterator[FakeShop]:
    fake = FakeShop(
        make_order(),
        make_order("CM200001", OrderStatus.PREPARING),
        make_order("CM300001", OrderStatus.DELIVERED),
        make_order("CM400001", OrderStatus.DELAYED),
    )
    common.use_shop(fake)  # type: ignore[arg-type]
    yield fake
    common.use_shop(None)


def tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker as the Rasa server sends it to the action server."""
    base = {
        "order_number": None,
        "order_contact": None,
        "verified_order": None,
        "verification_failures": 0,
        "order_facts": None,
        "requested_slot": None,
    }
    return Tracker(
        sender_id="test-conversation",
        slots={**base, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [],
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=None,
    )


def verified(number: str = "CM100234", **slots: Any) -> dict[str, Any]:
    """Slots of a conversation that has proved it owns `number`."""
    order = common.shop().verify_order(number, Verification(email=EMAIL))
    return {
        "order_number": number,
        "order_contact": EMAIL,
        "verified_order": number,
        "order_facts": common.order_facts(order),
        **slots,
    }


def run(action: Action, tracker_: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return events, dispatcher


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or f"<{m.get('response')}>" for m in dispatcher.messages)


def slots_set(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def slot_events(**values: Any) -> list[dict[str, Any]]:
    """The slot candidates Rasa appends before calling a form's validation action."""
    return [{"event": "slot", "name": name, "value": value} for name, value in values.items()]


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    import yaml

    from bot.settings import ROOT

    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def validate(
    action: Action, tracker_: Tracker, domain_: dict[str, Any]
) -> tuple[dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, domain_))
    return slots_set(events), dispatcher
