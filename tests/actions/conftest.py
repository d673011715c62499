"""Hermetic action tests: named tracker fixtures, a CollectingDispatcher and in-memory stand-ins
of the shop, the back office and the knowledge base that behave like the real clients (same
exceptions, same models), installed for every test through actions/services.py; no network."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable, Iterator

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine

from actions import services as action_services
from bot.catalogue.generate import generate
from bot.catalogue.live import LiveCatalogue
from bot.catalogue.wire import to_wire
from bot.clients.backoffice.client import BackOfficeUnavailable, HandoffNotOpen
from bot.clients.backoffice.models import HandoffRequest, HandoffTicket
from bot.clients.shop.contract import (
    NotAllowed,
    OrderNotFound,
    ProductNotFound,
    ShopUnavailable,
    VerificationFailed,
)
from bot.clients.shop.models import (
    BEFORE_SHIPPING,
    DISPATCHED,
    Address,
    Claim,
    ClaimKind,
    Item,
    Order,
    OrderStatus,
    Product,
    ProductPage,
    Refund,
    ReturnInfo,
    ReturnPolicy,
    ShippingMethod,
    Tracking,
    TrackingEvent,
    Verification,
)
from bot.dialogue.proof_throttle import Limit, ProofThrottle
from bot.dialogue.verified_order import VerifiedOrder
from bot.kb import SearchResult

EMAIL, POSTCODE = "camille.martin@exemple.fr", "69003"
NOW = datetime(2026, 11, 20, 10, 0)


def make_order(
    number: str = "CM100234", status: OrderStatus = OrderStatus.SHIPPED, **changes: Any
) -> Order:
    shipped = status in DISPATCHED
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
        cancellable=status in BEFORE_SHIPPING,
        address_changeable=status in BEFORE_SHIPPING,
        return_deadline=date(2026, 12, 4) if status == OrderStatus.DELIVERED else None,
    )
    return order.model_copy(update=changes)


class FakeShop:
    """In-memory shop: one order per number, the e-mail/postcode rule, recorded calls."""

    return_status = "created"  # "requested": a platform where the shop approves returns first

    def __init__(self, *orders: Order, down: bool = False) -> None:
        self.orders = {order.number: order for order in orders}
        self.down = down
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.clients: list[str | None] = []  # who asked each verify_order
        self.catalogue = {product.sku: product for product in catalogue_products()}

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
            status=self.return_status,
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

    # The catalogue: the first CATALOGUE_SIZE products of the generated catalogue, one page.
    def products(
        self, updated_since: datetime | None = None, cursor: str | None = None
    ) -> ProductPage:
        self.calls.append(("products", (updated_since, cursor)))
        if self.down:
            raise ShopUnavailable("down")
        listed = list(self.catalogue.values()) if updated_since is None else []
        return ProductPage(products=listed, as_of=datetime.now(timezone.utc))

    def product(self, sku: str) -> Product:
        self.calls.append(("product", (sku,)))
        if self.down:
            raise ShopUnavailable("down")
        if sku not in self.catalogue:
            raise ProductNotFound("unknown")
        return self.catalogue[sku]


CATALOGUE_SIZE = 300


@lru_cache(maxsize=1)
def catalogue_products() -> tuple[Product, ...]:
    return tuple(to_wire(p, date.today()) for p in generate(CATALOGUE_SIZE))


class FakeBackOffice:
    """In-memory back office with the client's interface: records hand-offs, relayed messages
    and ratings, followed orders and stopped notices; `down` makes every call fail like an
    unreachable server."""

    def __init__(self, agents_online: int = 2, open_now: bool = True, down: bool = False) -> None:
        self.agents_online, self.open_now, self.down = agents_online, open_now, down
        self.handoffs: list[HandoffRequest] = []
        self.messages: list[tuple[str, str]] = []
        self.ratings: list[tuple[str, int]] = []
        self.closed: set[str] = set()
        self.watches: list[tuple[str, str, str]] = []
        self.stopped: list[str] = []

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

    def watch(self, conversation_id: str, order_number: str, channel: str) -> None:
        self._check()
        self.watches.append((conversation_id, order_number, channel))

    def stop_notices(self, conversation_id: str) -> None:
        self._check()
        self.stopped.append(conversation_id)


class FakeKnowledgeBase:
    """The knowledge base's interface: finds nothing (outcome "none", no hits) unless a test
    sets `answer` (query -> SearchResult, or raises like the real one); records the queries."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.answer: Callable[[str], SearchResult] = lambda query: SearchResult(
            query=query, outcome="none", confidence=0.0, hits=()
        )

    def search(self, query: str, k: int = 3, text_vector: Any = None) -> SearchResult:
        self.queries.append(query)
        return self.answer(query)

    def warm_up(self) -> str | None:
        return None


@pytest.fixture(autouse=True)
def services() -> Iterator[action_services.Services]:
    """Every action test runs with in-memory stand-ins, installed the way a deployment
    installs its own clients (actions/services.py): no test reaches a network, reads the
    published index or shares a wrong-proof count. The fixtures below hand them to tests."""
    shop = FakeShop(
        make_order(),
        make_order("CM200001", OrderStatus.PREPARING),
        make_order("CM300001", OrderStatus.DELIVERED),
        make_order("CM400001", OrderStatus.DELAYED),
    )
    installed = action_services.Services(
        shop=shop,  # type: ignore[arg-type]
        back_office=FakeBackOffice(),  # type: ignore[arg-type]
        kb=FakeKnowledgeBase(),
        throttle=ProofThrottle(
            create_engine("sqlite://"), {"conversation": Limit(5, 900), "ip": Limit(10, 900)}
        ),
        catalogue=LiveCatalogue(shop),  # by spelling: no encoder to load
    )
    previous = action_services.install(installed)
    yield installed
    action_services.install(previous)


@pytest.fixture
def shop(services: action_services.Services) -> FakeShop:
    return services.shop  # type: ignore[return-value]


@pytest.fixture
def back_office(services: action_services.Services) -> FakeBackOffice:
    return services.back_office  # type: ignore[return-value]


@pytest.fixture
def knowledge_base(services: action_services.Services) -> FakeKnowledgeBase:
    return services.kb  # type: ignore[return-value]


@pytest.fixture
def proof_counter(services: action_services.Services) -> ProofThrottle:
    return services.throttle


def tracker(
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    active_loop: str | None = None,
    events: list[dict[str, Any]] | None = None,
    sender_id: str = "test-conversation",
    entities: list[dict[str, Any]] | None = None,
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
        sender_id=sender_id,
        slots={**base, **(slots or {})},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name=None,
    )


def verified(number: str = "CM100234", **slots: Any) -> dict[str, Any]:
    """Slots of a conversation that has proved it owns `number`."""
    order = action_services.current().shop.verify_order(number, Verification(email=EMAIL))
    return {
        "order_number": number,
        "order_contact": EMAIL,
        "verified_order": number,
        "order_facts": VerifiedOrder.from_order(order).to_slot(),
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
