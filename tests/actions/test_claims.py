"""Problem reports on shipped orders."""
from __future__ import annotations

from actions.claims import ActionCreateClaim
from tests.actions.conftest import run, texts, tracker, verified


def test_damaged_item_claim_gets_a_reference_and_a_resolution(shop):
    events = [{"event": "user", "text": "Mon pull est arrivé <b>troué</b>",
               "parse_data": {"intent": {"name": "problem_report"}}}]
    _, dispatcher = run(ActionCreateClaim(), tracker(verified("CM300001", claim_type="damaged"),
                                                     events=events))
    assert "RCL-000001" in texts(dispatcher)
    assert "renvoyons l'article" in texts(dispatcher)
    name, args = shop.calls[-1]
    assert name == "claim" and args[2].value == "damaged"
    assert args[3] == "Mon pull est arrivé &lt;b&gt;troué&lt;/b&gt;"  # never passed on raw


def test_unshipped_order_has_nothing_to_report(shop):
    _, dispatcher = run(ActionCreateClaim(), tracker(verified("CM200001", claim_type="missing")))
    assert "pas encore été expédiée" in texts(dispatcher)
    assert all(call[0] != "claim" for call in shop.calls)
