"""Product questions answered from the shop's catalogue (issue 18).

"Vous l'avez encore en 50 ml ?", "une idée de cadeau pour ma mère ?": the catalogue
(bot.catalogue.live, through services.current().catalogue) is searched by meaning and by
spelling; the shopper gets a short list (name, variant, price, availability, link) and one
button per product for its details. What was shown is kept in two slots, so that "et en 42 ?"
or "c'est le même prix en 100 ?" is answered about that product. A product the shop does not
sell is said so, with the knowledge base's closest questions as choices (a general question
asked as a product question) and a person.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, List, Sequence

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import product_texts, services
from actions.common import HUMAN_BUTTON
from actions.knowledge import answer as kb_answer
from actions.knowledge import search as kb_search
from actions.unsure import unsure, user_turn
from bot import kb
from bot.catalogue.live import CatalogueUnavailable
from bot.catalogue.models import Product, Variant
from bot.catalogue.query import Query, parse, product_types
from bot.catalogue.search import ProductHit, SearchResult
from bot.core import query_vector, replies, shop_terms, slots
from bot.kb import Hit

log = logging.getLogger(__name__)

PRODUCT_SLOT = slots.PRODUCT_SHOWN
VARIANT_SLOT = slots.PRODUCT_VARIANT
SKU_ENTITY = "product_sku"  # a product's button: '/ask_product{"product_sku": "MOD-1001"}'
SHOWN = 3  # products in a list
# What makes a question one about a particular product, whatever terms it also names.
PRECISE = ("size", "colour", "volume_ml", "capacity", "brand")
FOLLOW_UP_WORDS = 3  # "et la taille au-dessus" still refers to the product shown


def details_button(product: Product) -> dict[str, str]:
    payload = json.dumps({SKU_ENTITY: product.sku})
    return replies.button(product.name[:60], f"/ask_product{payload}")


def is_follow_up(query: Query) -> bool:
    """About the product just shown: no kind of product or brand named, and a variant or the
    price asked about in a few words ("et en 42 ?", "même prix en 100 ?", "il reste du M ?")."""
    if product_types(query.words) or query.brand:
        return False
    asked = any(getattr(query, key) is not None for key in product_texts.VARIANT_KEYS)
    return asked or (
        product_texts.asks_price(query) and len(query.words.split()) <= FOLLOW_UP_WORDS
    )


async def _catalogue(call: str, *args: Any, **kwargs: Any) -> Any:
    """A catalogue call off the event loop (it may sync with the shop first)."""
    catalogue = services.current().catalogue
    return await asyncio.to_thread(getattr(catalogue, call), *args, **kwargs)


async def find(tracker: Tracker, in_stock_only: bool = False) -> SearchResult | None:
    """The catalogue's products for the latest message; None when it cannot be read."""
    text = tracker.latest_message.get("text") or ""
    try:
        result: SearchResult = await _catalogue(
            "search",
            text,
            SHOWN,
            tracker.latest_message.get(query_vector.KEY),
            in_stock_only,
        )
    except CatalogueUnavailable:
        log.exception("catalogue unavailable conversation=%s", tracker.sender_id)
        return None
    log.info(
        "product search conversation=%s found=%s top=%s constraints=%s ms=%.0f",
        tracker.sender_id,
        result.found,
        result.skus[:1],
        sorted(result.query.constraints()),
        result.timings_ms.get("total", 0.0),
    )
    return result


async def _fresh(hit: ProductHit) -> ProductHit | None:
    """The hit with the shop's current price and stock (None: no longer sold)."""
    product: Product | None = await _catalogue("details", hit.product.sku)
    if product is None:
        return None
    variant = next((v for v in product.variants if v.sku == hit.variant.sku), None)
    if variant is None:
        return None
    return ProductHit(product, variant, hit.score, hit.relaxed, hit.dense, hit.lexical)


def _shown(hit: ProductHit) -> List[EventType]:
    return [SlotSet(PRODUCT_SLOT, hit.product.sku), SlotSet(VARIANT_SLOT, hit.variant.sku)]


async def show(
    dispatcher: CollectingDispatcher, tracker: Tracker, result: SearchResult
) -> List[EventType] | None:
    """The list of products found, or None when the catalogue has nothing for the message."""
    if not result.found or not result.hits:
        return None
    fresh = [hit for hit in await asyncio.gather(*map(_fresh, result.hits)) if hit]
    if not fresh:
        return None
    text = product_texts.hit_list(fresh)
    top = fresh[0]
    if not top.variant.in_stock and not any(h.variant.in_stock for h in fresh[1:]):
        spare = await find(tracker, in_stock_only=True)
        alternative = next(
            (h for h in (spare.hits if spare else ()) if "type" not in h.relaxed), None
        )
        if alternative is not None:
            fresh.append(alternative)
            line = product_texts.line(alternative.product, alternative.variant)
            text += f"\n{replies.PRODUCT_ALTERNATIVE}\n{line}"
    dispatcher.utter_message(
        text=text, buttons=[details_button(h.product) for h in fresh] + [HUMAN_BUTTON]
    )
    return _shown(top)


def terms_asked(query: Query) -> frozenset[str]:
    """The shop's terms (knowledge-base topics) a question asks about rather than a product:
    "vous faites des promos sur les parfums ?" names promotions and no particular product (no
    size, colour, volume, capacity or brand)."""
    if any(getattr(query, key) is not None for key in PRECISE):
        return frozenset()
    return shop_terms.topics_named(query.text)


def about_terms(known: kb.SearchResult | None, terms: frozenset[str]) -> bool:
    """The knowledge base found something about the very terms the question asks about."""
    return known is not None and bool(known.hits) and known.hits[0].topic in terms


async def offer(
    dispatcher: CollectingDispatcher, tracker: Tracker, known: kb.SearchResult | None = None
) -> List[EventType] | None:
    """Products for a message the knowledge base had no sure answer to (`known`), or None;
    None too when the message asks about the shop's terms and the knowledge base found them."""
    text = tracker.latest_message.get("text") or ""
    if about_terms(known, terms_asked(parse(text))):
        return None
    result = await find(tracker)
    events = await show(dispatcher, tracker, result) if result else None
    return [*events, SlotSet(slots.KB_TOPIC, None)] if events is not None else None


def _previous_variant(product: Product, tracker: Tracker) -> Variant | None:
    sku = tracker.get_slot(VARIANT_SLOT)
    return next((v for v in product.variants if v.sku == sku), None)


class ActionAnswerProduct(Action):
    def name(self) -> str:
        return "action_answer_product"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        try:
            return await self._answer(dispatcher, tracker)
        except CatalogueUnavailable:
            log.exception("catalogue unavailable conversation=%s", tracker.sender_id)
            dispatcher.utter_message(text=replies.CATALOGUE_UNAVAILABLE, buttons=[HUMAN_BUTTON])
            return []

    async def _answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        chosen = next(tracker.get_latest_entity_values(SKU_ENTITY), None)
        if chosen:  # a product's button under a list
            return await self._details(dispatcher, str(chosen))
        text = tracker.latest_message.get("text") or ""
        shown = tracker.get_slot(PRODUCT_SLOT)
        query = parse(text)
        if shown and is_follow_up(query):
            product: Product | None = await _catalogue("details", str(shown))
            if product is not None:
                said, variant = product_texts.follow_up(
                    product, query, _previous_variant(product, tracker)
                )
                dispatcher.utter_message(text=said, buttons=[details_button(product), HUMAN_BUTTON])
                return [SlotSet(VARIANT_SLOT, variant.sku)] if variant else []
        terms = terms_asked(query)
        if terms:
            known = await kb_search(tracker)
            events = kb_answer(dispatcher, known) if known and about_terms(known, terms) else None
            if events is not None:
                return events
        result = await find(tracker)
        if result is None:
            dispatcher.utter_message(text=replies.CATALOGUE_UNAVAILABLE, buttons=[HUMAN_BUTTON])
            return []
        if not result.found:
            # Not a product of the shop. Later in a conversation with no product shown, a sure
            # knowledge-base answer is a follow-up to it ("et en express ?" after delivery
            # options); as a first message it is not trusted (asked "des trottinettes ?", it
            # answers its nearest entry): its closest questions are offered instead.
            known = await kb_search(tracker)
            later = user_turn(tracker) > 1 and not tracker.get_slot(PRODUCT_SLOT)
            if known is not None and known.outcome == "answer" and later:
                return kb_answer(dispatcher, known) or []
            return await self._not_found(dispatcher, tracker, known.hits[:2] if known else ())
        events = await show(dispatcher, tracker, result)
        if events is not None:
            return [*events, SlotSet(slots.KB_TOPIC, None)]
        return await self._not_found(dispatcher, tracker, ())

    async def _details(self, dispatcher: CollectingDispatcher, sku: str) -> List[EventType]:
        product: Product | None = await _catalogue("details", sku)
        if product is None:
            dispatcher.utter_message(text=replies.PRODUCT_GONE, buttons=[HUMAN_BUTTON])
            return [SlotSet(PRODUCT_SLOT, None), SlotSet(VARIANT_SLOT, None)]
        dispatcher.utter_message(text=product_texts.details(product), buttons=[HUMAN_BUTTON])
        best = sorted(product.variants, key=lambda v: (not v.in_stock, v.price))[0]
        return [SlotSet(PRODUCT_SLOT, product.sku), SlotSet(VARIANT_SLOT, best.sku)]

    async def _not_found(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, questions: Sequence[Hit]
    ) -> List[EventType]:
        """Neither a product of the shop nor a question the knowledge base knows: said so, and
        a person offered (imposed only the second time in a row, as for any question)."""

        def say() -> List[EventType]:
            dispatcher.utter_message(
                text=replies.PRODUCT_NOT_FOUND,
                buttons=[replies.button(h.question, h.question) for h in questions]
                + [HUMAN_BUTTON],
            )
            return [SlotSet(PRODUCT_SLOT, None), SlotSet(VARIANT_SLOT, None)]

        return await unsure(dispatcher, tracker, say)
