"""Product questions answered from the catalogue (actions/products.py), against the real
LiveCatalogue and ProductSearch (by spelling) over the first 300 products of the generated
catalogue, served by the in-memory shop of conftest.py."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from actions import faq
from actions.products import PRODUCT_SLOT, VARIANT_SLOT, ActionAnswerProduct, is_follow_up
from bot.catalogue.query import parse
from bot.core import replies
from bot.kb import Hit, SearchResult
from tests.actions.conftest import run, slots_set, texts, tracker

PULL = "MOD-1001"  # Pull col rond en laine mérinos, 59,90 €, S to XL, in stock
TRENCH = "MOD-1006"  # Trench beige, every size out of stock, back in 6 to 20 days
PATCHOULI = "PAR-100011"  # Eau de parfum Patchouli: 30 ml 137,90 €, 50 ml, 100 ml sold out


def ask(text: str, **slots: object) -> tuple[list[dict], object]:
    return run(ActionAnswerProduct(), tracker(slots=dict(slots), text=text, intent="ask_product"))


def variant_sku(shop, sku: str, label: str) -> str:
    product = shop.catalogue[sku]
    return next(v.sku for v in product.variants if label in (v.size, f"{v.volume_ml} ml"))


def kb_entry(entry_id: str, question: str, answer: str) -> Hit:
    """A knowledge-base hit the fake knowledge base returns, sure of itself."""
    return Hit(
        id=entry_id,
        topic=entry_id.split(".")[0],
        question=question,
        answer=answer,
        score=0.9,
        dense_score=0.9,
        lexical_score=0.9,
        legs=("dense", "lexical"),
    )


def sure_of(knowledge_base, entry: Hit) -> None:
    """The fake knowledge base answers every question with this entry."""
    knowledge_base.answer = lambda q: SearchResult(
        query=q, outcome="answer", confidence=0.9, hits=(entry,)
    )


def payloads(dispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


def test_availability_with_a_size_lists_the_product_in_that_size(shop):
    events, dispatcher = ask("vous avez encore le pull col rond en laine mérinos en M ?")
    said = texts(dispatcher)
    assert said.startswith(replies.PRODUCTS_FOUND)
    first = said.splitlines()[1]
    assert "Pull col rond en laine mérinos" in first and "taille M" in first
    assert "59,90 €" in first and "en stock" in first
    assert shop.catalogue[PULL].url in said
    assert slots_set(events)[PRODUCT_SLOT] == PULL
    assert slots_set(events)[VARIANT_SLOT] == variant_sku(shop, PULL, "M")
    assert f'/ask_product{{"product_sku": "{PULL}"}}' in payloads(dispatcher)
    assert replies.HUMAN["payload"] in payloads(dispatcher)  # a person is offered, not imposed


def test_out_of_stock_says_when_it_is_back(shop):
    events, dispatcher = ask("le trench beige en M, vous l'avez ?")
    said = texts(dispatcher)
    line = next(row for row in said.splitlines() if "Trench beige" in row)
    back = date.today() + timedelta(days=6)  # its M comes back first
    assert "de retour vers le" in line and str(back.day) in line
    assert slots_set(events)[PRODUCT_SLOT] == TRENCH


def test_sold_out_with_nothing_in_stock_listed_offers_an_alternative_in_stock(shop):
    """Three sold-out trenches of the brand asked fill the list; another brand's trench in
    stock is offered as the alternative, after the list."""
    trench = shop.catalogue[TRENCH]
    twins = {
        f"MOD-90{i}": trench.model_copy(update={"sku": f"MOD-90{i}", "name": f"Trench beige {i}"})
        for i in (1, 2)
    }
    other = trench.model_copy(
        update={
            "sku": "MOD-903",
            "name": "Trench classique",
            "brand": "Filature Dorée",
            "variants": [v.model_copy(update={"stock": 4}) for v in trench.variants],
        }
    )
    shop.catalogue = {TRENCH: trench, **twins, other.sku: other}
    events, dispatcher = ask("trench beige Vestiaire Breton")
    said = texts(dispatcher)
    listed, alternative = said.split(replies.PRODUCT_ALTERNATIVE)
    assert listed.count("en rupture, de retour vers le") == 3
    assert "Trench classique – Filature Dorée" in alternative and "en stock" in alternative
    assert '"MOD-903"' in " ".join(payloads(dispatcher))
    assert slots_set(events)[PRODUCT_SLOT] in {TRENCH, *twins}


def test_a_size_follow_up_is_answered_about_the_product_just_shown(shop):
    shown = {PRODUCT_SLOT: PULL, VARIANT_SLOT: variant_sku(shop, PULL, "S")}
    events, dispatcher = ask("et en 42 ?", **shown)
    said = texts(dispatcher)
    assert "Pull col rond en laine mérinos" in said and "taille L" in said  # 42 is an L
    assert slots_set(events) == {VARIANT_SLOT: variant_sku(shop, PULL, "L")}
    _, dispatcher = ask("et en rouge ?", **shown)
    said = texts(dispatcher)
    assert "n'existe pas en rouge" in said and "taille M" in said  # what there is instead


def test_a_price_follow_up_compares_with_the_variant_just_shown(shop):
    shown = {PRODUCT_SLOT: PATCHOULI, VARIANT_SLOT: variant_sku(shop, PATCHOULI, "30 ml")}
    _, dispatcher = ask("c'est le même prix en 100 ?", **shown)
    said = texts(dispatcher)
    assert "En 100 ml, c'est 275,90 € (contre 137,90 € en 30 ml)" in said
    assert "rupture" in said  # and that it is sold out
    _, dispatcher = ask("c'est combien ?", **shown)
    assert "137,90 €" in texts(dispatcher) and "30 ml" in texts(dispatcher)


def test_a_product_the_shop_does_not_sell_is_said_so_and_a_person_offered(knowledge_base):
    events, dispatcher = ask("vous vendez des trottinettes électriques ?")
    assert texts(dispatcher) == replies.PRODUCT_NOT_FOUND
    assert payloads(dispatcher) == [replies.HUMAN["payload"]]
    assert "unsure_turn" in slots_set(events)  # a second miss in a row hands over
    assert knowledge_base.queries == ["vous vendez des trottinettes électriques ?"]


def test_not_a_product_offers_the_knowledge_base_closest_questions_not_its_answer(
    knowledge_base,
):
    """Asked about trottinettes, the knowledge base's nearest entry may be confident and
    wrong ("vos produits sont-ils authentiques ?"): it is offered as a choice only."""
    entries = tuple(
        kb_entry(f"product.{n}", question, "Oui.")
        for n, question in enumerate(
            ["Proposez-vous des échantillons ?", "Vos produits sont-ils authentiques ?", "Autre ?"]
        )
    )
    knowledge_base.answer = lambda q: SearchResult(
        query=q, outcome="answer", confidence=0.9, hits=entries
    )
    events, dispatcher = ask("vous avez des échantillons gratuits ?")
    assert texts(dispatcher) == replies.PRODUCT_NOT_FOUND
    assert payloads(dispatcher) == [
        "Proposez-vous des échantillons ?",
        "Vos produits sont-ils authentiques ?",
        replies.HUMAN["payload"],
    ]
    assert "kb_entry" not in slots_set(events)


def test_a_product_button_shows_every_variant(shop):
    product_tracker = tracker(
        text=f"/ask_product{json.dumps({'product_sku': PATCHOULI})}",
        intent="ask_product",
        entities=[{"entity": "product_sku", "value": PATCHOULI}],
    )
    events, dispatcher = run(ActionAnswerProduct(), product_tracker)
    said = texts(dispatcher)
    assert said.startswith("Eau de parfum Patchouli – L'Atelier des Senteurs")
    assert [line[2:7] for line in said.splitlines() if line.startswith("• ")] == [
        "30 ml",
        "50 ml",
        "100 m",
    ]
    assert slots_set(events)[PRODUCT_SLOT] == PATCHOULI


def test_the_shop_is_asked_again_for_price_and_stock_before_a_product_is_shown(shop):
    ask("pull col rond laine mérinos")  # indexed as it was
    sold_out = shop.catalogue[PULL].model_copy(
        update={
            "variants": [
                v.model_copy(update={"stock": 0, "restock_date": None})
                for v in shop.catalogue[PULL].variants
            ]
        }
    )
    shop.catalogue[PULL] = sold_out
    _, dispatcher = ask("pull col rond laine mérinos")
    line = next(row for row in texts(dispatcher).splitlines() if "Pull col rond" in row)
    assert line.endswith(replies.PRODUCT_OUT_OF_STOCK)


def test_a_catalogue_the_shop_cannot_give_is_said_so(shop):
    shop.down = True
    _, dispatcher = ask("le pull col rond en M ?")
    assert texts(dispatcher) == replies.CATALOGUE_UNAVAILABLE


def test_a_product_asked_as_a_general_question_is_answered_from_the_catalogue(shop):
    """The knowledge base has nothing sure (the fake finds nothing): the catalogue answers."""
    faq_tracker = tracker(text="la bouilloire électrique inox, elle coûte combien ?", intent="faq")
    events, dispatcher = run(faq.ActionAnswerFaq(), faq_tracker)
    assert "Bouilloire électrique inox 1,7 L" in texts(dispatcher).splitlines()[1]
    assert slots_set(events)[PRODUCT_SLOT] == "ELM-3001"
    assert slots_set(events)["kb_topic"] is None


@pytest.mark.parametrize(
    "text, follow_up",
    [
        ("et en 42 ?", True),
        ("il reste du M ?", True),
        ("c'est le même prix en 100 ?", True),
        ("c'est combien ?", True),
        ("et en bleu marine", True),
        ("vous avez la robe midi en 40 ?", False),  # another product named
        ("un parfum Maison Solane ?", False),
        ("merci beaucoup", False),
    ],
)
def test_what_counts_as_a_follow_up(text, follow_up):
    assert is_follow_up(parse(text)) is follow_up


def test_later_in_a_conversation_a_sure_knowledge_base_answer_follows_its_own(knowledge_base):
    """ "Et en express ?" after the delivery options is no product: with no product shown
    and not as a first message, the knowledge base's sure answer is given."""
    entry = kb_entry(
        "delivery_options.express",
        "Proposez-vous la livraison express ?",
        "Oui, en 24 h avec Chronopost.",
    )
    sure_of(knowledge_base, entry)
    second = [{"event": "user", "text": "vous livrez en relais ?"}, {"event": "user"}]
    later = tracker(text="et en express ?", intent="ask_product", events=second)
    _, dispatcher = run(ActionAnswerProduct(), later)
    assert texts(dispatcher) == entry.answer
    _, dispatcher = ask("et en express ?")  # as a first message: not trusted
    assert texts(dispatcher) == replies.PRODUCT_NOT_FOUND


def test_a_question_about_promotions_on_a_kind_of_product_is_answered_by_the_kb(
    shop, knowledge_base
):
    entry = kb_entry(
        "promo.current",
        "Avez-vous des promotions en ce moment ?",
        "Nos offres du moment sont sur la page Promotions.",
    )
    sure_of(knowledge_base, entry)
    events, dispatcher = ask("vous faites des promos sur les pulls en ce moment ?")
    assert texts(dispatcher) == entry.answer
    assert slots_set(events)["kb_topic"] == "promo"
    # A particular product (a size) is a question for the catalogue, whatever else it names.
    _, dispatcher = ask("le pull col rond en laine mérinos en M est en promo ?")
    assert texts(dispatcher).startswith(replies.PRODUCTS_FOUND)


def test_terms_the_kb_answers_on_another_topic_are_left_to_the_catalogue(shop, knowledge_base):
    entry = kb_entry("payment.methods", "Quels moyens de paiement ?", "Carte, PayPal.")
    sure_of(knowledge_base, entry)
    _, dispatcher = ask("vous faites des soldes sur les pulls en laine ?")
    assert texts(dispatcher) != entry.answer


def test_a_general_question_about_terms_gets_the_kb_choices_not_products(shop, knowledge_base):
    """Not sure of its answer, the knowledge base offers its closest questions on promotions
    rather than the catalogue listing jumpers."""
    entries = (
        kb_entry("promo.current", "Avez-vous des promotions en ce moment ?", "Oui."),
        kb_entry("promo.code", "Comment utiliser un code promo ?", "Au panier."),
    )
    knowledge_base.answer = lambda q: SearchResult(
        query=q, outcome="choose", confidence=0.5, hits=entries
    )
    faq_tracker = tracker(text="il y a des soldes sur les pulls en laine ?", intent="faq")
    events, dispatcher = run(faq.ActionAnswerFaq(), faq_tracker)
    assert texts(dispatcher) == replies.KB_CHOOSE
    assert payloads(dispatcher)[:2] == [e.question for e in entries]
    assert slots_set(events)["kb_topic"] == "promo"
    assert PRODUCT_SLOT not in slots_set(events)
