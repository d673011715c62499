"""Problem reports on shipped orders."""

from __future__ import annotations

from actions.claims import ActionCreateClaim
from tests.actions.conftest import run, texts, tracker, verified


def test_damaged_item_claim_gets_a_reference_and_a_resolution(shop):
    events = [
        {
            "event": "user",
            "text": "Mon pull est arrivé <b>troué</b>",
            "parse_data": {"intent": {"name": "problem_report"}},
        }
    ]
    _, dispatcher = run(
        ActionCreateClaim(),
        tracker(verified("CM300001", claim_type="damaged", confirmed=True), events=events),
    )
    assert "RCL-000001" in texts(dispatcher)
    assert "renvoyons l'article" in texts(dispatcher)
    name, args = shop.calls[-1]
    assert name == "claim" and args[2].value == "damaged"
    # the shopper's words as written: the shop stores text, escaping is for the screens
    assert args[3] == "Mon pull est arrivé <b>troué</b>"


def test_the_problem_in_words_is_understood_from_the_first_message(shop, domain):
    from actions.claims import ValidateProblemReportForm
    from tests.actions.conftest import validate

    t = tracker(
        {**verified("CM300001")},
        text="deux verres cassés, commande CM300001",
        intent="problem_report",
        active_loop="problem_report_form",
    )
    slots, _ = validate(ValidateProblemReportForm(), t, domain)
    assert slots["claim_type"] == "damaged" and slots["requested_slot"] == "confirmed"


def test_no_claim_without_a_yes(shop):
    _, dispatcher = run(
        ActionCreateClaim(), tracker(verified("CM300001", claim_type="missing", confirmed=False))
    )
    assert "aucune réclamation" in texts(dispatcher)
    assert all(call[0] != "claim" for call in shop.calls)


def test_unshipped_order_has_nothing_to_report(shop):
    _, dispatcher = run(ActionCreateClaim(), tracker(verified("CM200001", claim_type="missing")))
    assert "pas encore été expédiée" in texts(dispatcher)
    assert all(call[0] != "claim" for call in shop.calls)
