"""Returns: list the items, explain what cannot be returned, create the return."""
from __future__ import annotations

from actions.returns import ActionAskReturnSkus, ActionCreateReturn, choose_items
from tests.actions.conftest import run, slots_set, texts, tracker, verified

ITEMS = [{"sku": "PULL-01", "name": "Pull en laine"}, {"sku": "JEAN-02", "name": "Jean slim"}]


def test_choose_items_by_number_name_or_all():
    assert choose_items("1", ITEMS) == ["PULL-01"]
    assert choose_items("le 2", ITEMS) == ["JEAN-02"]
    assert choose_items("le jean slim svp", ITEMS) == ["JEAN-02"]
    assert choose_items("tous", ITEMS) == ["PULL-01", "JEAN-02"]
    assert choose_items("1 et 2", ITEMS) == ["PULL-01", "JEAN-02"]
    assert choose_items("7", ITEMS) == []
    assert choose_items("n'importe quoi", ITEMS) == []


def test_items_are_listed_with_reasons_for_the_others(shop):
    _, dispatcher = run(ActionAskReturnSkus(), tracker(verified("CM300001")))
    said = texts(dispatcher)
    assert "1. Pull en laine mérinos" in said
    assert "Eau de parfum 50 ml : ne peut pas être retourné (produit d'hygiène ouvert)" in said
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["1"]


def test_return_is_created_with_label_and_refund_timing(shop):
    events, dispatcher = run(ActionCreateReturn(), tracker(verified(
        "CM300001", return_skus="PULL-01", return_reason="La taille ne convient pas")))
    said = texts(dispatcher)
    assert "RMA-2026-000001" in said and "/labels/RMA-2026-000001.pdf" in said
    assert "remboursé(e) sous 14 jours" in said
    assert shop.calls[-1] == ("return", ("CM300001", shop.calls[-1][1][1], ["PULL-01"],
                                         "La taille ne convient pas"))
    assert slots_set(events) == {"return_skus": None, "return_reason": None}


def test_undelivered_order_cannot_be_returned_yet(shop):
    _, dispatcher = run(ActionCreateReturn(), tracker(verified("CM100234")))
    assert "n'est pas encore livrée" in texts(dispatcher)
    assert all(call[0] != "return" for call in shop.calls)
