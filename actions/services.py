"""The action server's clients, wired in one place: the shop, the back office, the knowledge
base and the wrong-proof counter.

The actions reach them only through `services.current()`:

    order = await call_shop(tracker, "cancel", services.current().shop.cancel_order, ...)

By default each client is built from the settings on first use (`Services()`: the shop
client COMPTOIR_SHOP names (bot/clients/shop/factory.py), the back-office client, a knowledge
base over `settings.kb`, the proof throttle, the shop's catalogue kept in step with its feed);
nothing is built, connected or loaded at import time. To bring your own, install them, in the
process that runs the actions, before it serves:

    from actions import services
    services.install(services.Services(shop=MyShopClient()))  # the rest from the settings

The action server calls `actions.on_server_start()` in each of its workers before it serves
(bot/action_server/server.py); that hook calls `start()`, which builds the clients (a wrong
setting fails then, not at the first shopper) and, with COMPTOIR_KB_WARM_UP=1, loads the
knowledge base and the catalogue in the background. The tests install in-memory stand-ins
the same way (tests/actions/conftest.py, fixture `services`).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any, Protocol

from bot.clients.backoffice.models import HandoffRequest, HandoffTicket
from bot.clients.shop.contract import ShopClient
from bot.dialogue.proof_throttle import ProofThrottle
from bot.kb import KBError, SearchResult
from bot.settings import Settings, get_settings

if TYPE_CHECKING:  # the catalogue loads FAISS and scikit-learn: only when first used
    from bot.catalogue.models import Product
    from bot.catalogue.search import SearchResult as ProductResult

log = logging.getLogger(__name__)


class BackOffice(Protocol):
    """What the actions need from the back office (bot.clients.backoffice.client)."""

    def open_handoff(self, request: HandoffRequest) -> HandoffTicket: ...

    def relay(self, conversation_id: str, text: str) -> str: ...

    def rate(self, conversation_id: str, rating: int) -> None: ...

    def watch(self, conversation_id: str, order_number: str, channel: str) -> None: ...

    def stop_notices(self, conversation_id: str) -> None: ...

    def register_email(self, conversation_id: str, email: str) -> None: ...  # after hours


class KnowledgeBase(Protocol):
    """What the actions need from the knowledge base (bot.kb.KnowledgeBase)."""

    def search(self, query: str, k: int = 3, text_vector: Any = None) -> SearchResult: ...

    def warm_up(self) -> str | None: ...


class Catalogue(Protocol):
    """What the actions need from the shop's catalogue (bot.catalogue.live.LiveCatalogue)."""

    def search(
        self, text: str, k: int = 3, packed: Any = None, in_stock_only: bool = False
    ) -> ProductResult: ...

    def get(self, sku: str) -> Product | None: ...

    def details(self, sku: str) -> Product | None: ...

    def refresh(self, force: bool = False) -> Any: ...


class Services:
    """The clients the actions use. Each one not given is built from `settings` (default: the
    process's settings) the first time it is asked for, so that a test or a deployment that
    brings its own shop never builds, nor needs the secrets of, the default one."""

    def __init__(
        self,
        shop: ShopClient | None = None,
        back_office: BackOffice | None = None,
        kb: KnowledgeBase | None = None,
        throttle: ProofThrottle | None = None,
        settings: Settings | None = None,
        catalogue: Catalogue | None = None,
    ) -> None:
        self._shop = shop
        self._back_office = back_office
        self._kb = kb
        self._throttle = throttle
        self._catalogue = catalogue
        self._settings = settings
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    @property
    def shop(self) -> ShopClient:
        with self._lock:
            return self._shop_client()  # COMPTOIR_SHOP: the demo shop or a platform

    @property
    def back_office(self) -> BackOffice:
        with self._lock:
            if self._back_office is None:
                from bot.clients.backoffice.client import BackOfficeClient

                self._back_office = BackOfficeClient.from_settings(self.settings)
            return self._back_office

    @property
    def kb(self) -> KnowledgeBase:
        with self._lock:
            if self._kb is None:
                from bot.kb import KnowledgeBase as KB  # FAISS loads when first needed

                self._kb = KB(settings=self.settings.kb)  # its model loads on first search
            return self._kb

    @property
    def catalogue(self) -> Catalogue:
        with self._lock:
            if self._catalogue is None:
                self._catalogue = _live_catalogue(self._shop_client(), self.settings)
            return self._catalogue

    def _shop_client(self) -> ShopClient:
        """The shop client, for a caller that already holds the lock."""
        if self._shop is None:
            from bot.clients.shop.factory import shop_client

            self._shop = shop_client(self.settings)
        return self._shop

    @property
    def throttle(self) -> ProofThrottle:
        with self._lock:
            if self._throttle is None:
                from bot.dialogue.proof_throttle import proof_throttle

                self._throttle = proof_throttle()  # the process's, from get_settings()
            return self._throttle


def _live_catalogue(shop: ShopClient, settings: Settings) -> Catalogue:
    from bot.catalogue.live import LiveCatalogue, named_encoder

    return LiveCatalogue(
        shop,
        named_encoder(settings.catalogue_encoder),
        cache_dir=settings.catalogue_cache_dir,
        refresh_seconds=settings.catalogue_refresh_seconds,
    )


_current: Services | None = None
_current_lock = threading.Lock()


def current() -> Services:
    """The process's services: those installed, else the defaults (built on first use)."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Services()
        return _current


def install(services: Services | None) -> Services | None:
    """Make `services` the ones every action uses from now on (None: back to the defaults,
    built again from the settings on first use). Returns those it replaces."""
    global _current
    with _current_lock:
        previous, _current = _current, services
    return previous


def start(warm_up: bool | None = None) -> threading.Thread | None:
    """Ready the services before the first shopper: build the clients now, and load the
    knowledge base in the background when `warm_up` (default: COMPTOIR_KB_WARM_UP) says so
    (≈ 3–4 s on 2 cores, otherwise spent in the first question). Returns the warm-up thread."""
    services = current()
    # Built now: a wrong setting fails as the server starts, not at the first shopper.
    _ = (services.shop, services.back_office, services.throttle)
    if not (services.settings.kb_warm_up if warm_up is None else warm_up):
        return None
    base = services.kb

    catalogue = services.catalogue

    def _warm_up() -> None:
        try:
            log.info("knowledge base warm: version %s", base.warm_up())
        except KBError:
            log.exception("knowledge base warm-up failed")
        from bot.catalogue.live import CatalogueUnavailable

        try:
            catalogue.refresh()  # the first load, and the vector build in the background
        except CatalogueUnavailable as error:
            log.warning("catalogue not loaded at start-up: %s", error)

    thread = threading.Thread(target=_warm_up, name="kb-warm-up", daemon=True)
    thread.start()
    return thread
