"""The shopper's requests and the form that carries each one out: one table for the dialogue
(bot/rasa/policies/turns.py) and for the evaluation that reads a route back from the forms that ran
(bot/tools/eval/end_to_end.py). Standard library only: loaded by both interpreters."""

from __future__ import annotations

# request intent (also its route name in the evaluation) -> the form that handles it
REQUEST_FORMS = {
    "track_order": "track_order_form",
    "cancel_order": "cancel_order_form",
    "return_item": "return_item_form",
    "refund_status": "refund_status_form",
    "problem_report": "problem_report_form",
    "change_order": "change_order_form",
}
