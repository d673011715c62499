"""The actions say plain text: what a shopper wrote is quoted back, and sent to the shop, exactly
as written (on one line, bounded). Escaping belongs to a channel that renders markup, and none
does: the widget inserts text as text, Telegram and Messenger show characters."""

from __future__ import annotations

from actions.claims import ActionCreateClaim
from actions.confirmation import ActionAskConfirmed
from tests.actions.conftest import run, texts, tracker, verified

WRITTEN = 'Le vase <b>"Tom & Jerry"</b> est arrivé cassé & fêlé'


def opened_with(text: str, intent: str) -> list[dict]:
    return [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]


def test_a_problem_is_quoted_back_as_the_shopper_wrote_it(shop):
    t = tracker(
        verified("CM300001", claim_type="damaged"),
        active_loop="problem_report_form",
        events=opened_with(WRITTEN, "problem_report"),
    )
    said = texts(run(ActionAskConfirmed(), t)[1])
    assert f"« {WRITTEN} »" in said
    assert "&amp;" not in said and "&lt;" not in said and "&quot;" not in said


def test_a_return_reason_is_quoted_back_as_the_shopper_wrote_it(shop):
    reason = "trop petit <i>vraiment</i> & serré"
    t = tracker(
        verified("CM300001", return_skus="PULL-01", return_reason=reason),
        active_loop="return_item_form",
    )
    said = texts(run(ActionAskConfirmed(), t)[1])
    assert f"motif : « {reason} »" in said
    assert "« Pull en laine mérinos »" in said


def test_quoted_text_is_on_one_line_without_control_characters(shop):
    t = tracker(
        verified("CM300001", claim_type="damaged"),
        active_loop="problem_report_form",
        events=opened_with("Le vase\n\nest  arrivé\x00 cassé\x1b", "problem_report"),
    )
    assert "« Le vase est arrivé cassé »" in texts(run(ActionAskConfirmed(), t)[1])


def test_a_claims_description_reaches_the_shop_as_the_shopper_wrote_it(shop):
    _, dispatcher = run(
        ActionCreateClaim(),
        tracker(
            verified("CM300001", claim_type="damaged", confirmed=True),
            events=opened_with(WRITTEN, "problem_report"),
        ),
    )
    assert "RCL-000001" in texts(dispatcher)
    name, args = shop.calls[-1]
    assert name == "claim" and args[3] == WRITTEN
