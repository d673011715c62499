"""Refund status."""

from __future__ import annotations

from actions.cancellations import ActionCancelOrder
from actions.refunds import ActionRefundStatus
from tests.actions.conftest import run, texts, tracker, verified


def test_refund_after_cancellation_is_reported(shop):
    run(ActionCancelOrder(), tracker(verified("CM200001", confirmed=True)))
    _, dispatcher = run(ActionRefundStatus(), tracker(verified("CM200001")))
    assert "RB-1 de 104,50 €" in texts(dispatcher) and "en attente" in texts(dispatcher)


def test_no_refund_on_delivered_order_suggests_a_return(shop):
    _, dispatcher = run(ActionRefundStatus(), tracker(verified("CM300001")))
    assert "Aucun remboursement" in texts(dispatcher)
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "/return_item"
