"""Returns: list the items, explain what cannot be returned, create the return."""

from __future__ import annotations

from actions.returns import ActionAskReturnSkus, ActionCreateReturn, ValidateReturnItemForm
from tests.actions.conftest import run, slots_set, texts, tracker, validate, verified


def test_the_article_by_name_and_a_reason_in_words_but_not_a_question(shop, domain):
    def fill(requested: str, text: str, intent: str = "inform", **slots: str) -> dict:
        t = tracker(
            {**verified("CM300001"), "requested_slot": requested, **slots},
            text=text,
            intent=intent,
            active_loop="return_item_form",
        )
        return validate(ValidateReturnItemForm(), t, domain)[0]

    assert fill("return_skus", "le pull")["return_skus"] == "PULL-01"
    assert "return_skus" not in fill("return_skus", "bonjour")
    reason = fill("return_reason", "il est trop petit pour moi", return_skus="PULL-01")
    assert reason["return_reason"] == "il est trop petit pour moi"
    assert reason["requested_slot"] == "confirmed"
    question = fill("return_reason", "je peux pas plutôt l'échanger ?", return_skus="PULL-01")
    assert "return_reason" not in question


def test_items_are_listed_with_reasons_for_the_others(shop):
    _, dispatcher = run(ActionAskReturnSkus(), tracker(verified("CM300001")))
    said = texts(dispatcher)
    assert "1. Pull en laine mérinos" in said
    assert "Eau de parfum 50 ml : ne peut pas être retourné (produit d'hygiène ouvert)" in said
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["1"]


def test_return_is_created_with_label_and_refund_timing(shop):
    events, dispatcher = run(
        ActionCreateReturn(),
        tracker(
            verified(
                "CM300001",
                return_skus="PULL-01",
                return_reason="La taille ne convient pas",
                confirmed=True,
            )
        ),
    )
    said = texts(dispatcher)
    assert "RMA-2026-000001" in said and "/labels/RMA-2026-000001.pdf" in said
    assert "remboursé(e) sous 14 jours" in said
    assert shop.calls[-1] == (
        "return",
        ("CM300001", shop.calls[-1][1][1], ["PULL-01"], "La taille ne convient pas"),
    )
    assert slots_set(events) == {"return_skus": None, "return_reason": None, "confirmed": None}


def test_a_return_the_shop_must_approve_promises_no_label_yet(shop):
    shop.return_status = "requested"  # e.g. Shopify's return requests
    _, dispatcher = run(
        ActionCreateReturn(),
        tracker(verified("CM300001", return_skus="PULL-01", return_reason="x", confirmed=True)),
    )
    said = texts(dispatcher)
    assert "demande de retour est enregistrée sous le numéro RMA-2026-000001" in said
    assert "Étiquette" not in said and "/labels/" not in said
    assert "Déposez le colis dans un bureau de poste." in said  # the shop's own instructions


def test_no_return_without_a_yes(shop):
    _, dispatcher = run(
        ActionCreateReturn(),
        tracker(
            verified("CM300001", return_skus="PULL-01", return_reason="trop petit", confirmed=False)
        ),
    )
    assert "aucun retour" in texts(dispatcher)
    assert all(call[0] != "return" for call in shop.calls)


def test_undelivered_order_cannot_be_returned_yet(shop):
    _, dispatcher = run(ActionCreateReturn(), tracker(verified("CM100234")))
    assert "n'est pas encore livrée" in texts(dispatcher)
    assert all(call[0] != "return" for call in shop.calls)
