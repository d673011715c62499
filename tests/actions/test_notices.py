"""Delay notices in the conversation: which orders are followed, what the shopper reads when
one is late, and "stop"."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.notices import ActionNotifyDelay, ActionStopNotices
from actions.orders import ValidateTrackOrderForm
from bot.core import channels, replies
from tests.actions.conftest import EMAIL, run, slot_events, slots_set, texts, tracker, validate


def proved(number: str, channel: str = "telegram") -> Tracker:
    slots = {"order_number": number, "order_contact": EMAIL}
    proving = tracker(slots=slots, active_loop="track_order_form", events=slot_events(**slots))
    proving.latest_message["input_channel"] = channel  # as Rasa records where it came from
    proving.events.insert(0, {"event": "user", "text": "x", "input_channel": channel})
    return proving


def test_an_order_on_its_way_is_followed_once_proved(shop, back_office, domain):
    validate(ValidateTrackOrderForm(), proved("CM100234"), domain)
    assert back_office.watches == [("test-conversation", "CM100234", "telegram")]


def test_a_delivered_order_is_not_followed(shop, back_office, domain):
    slots, _ = validate(ValidateTrackOrderForm(), proved("CM300001"), domain)
    assert slots["verified_order"] == "CM300001" and back_office.watches == []


def test_a_back_office_down_costs_the_notice_not_the_answer(shop, back_office, domain):
    back_office.down = True
    slots, dispatcher = validate(ValidateTrackOrderForm(), proved("CM100234"), domain)
    assert slots["verified_order"] == "CM100234"
    assert "c'est bien votre commande" in texts(dispatcher)


def notice(number: str, delivery_date: str) -> Tracker:
    delayed = tracker(intent="order_delayed", text="EXTERNAL: order_delayed")
    delayed.latest_message["entities"] = [
        {"entity": "order_number", "value": number},
        {"entity": "delivery_date", "value": delivery_date},
    ]
    return delayed


def test_the_notice_apologises_gives_the_new_date_and_the_choices(back_office):
    events, dispatcher = run(ActionNotifyDelay(), notice("CM100234", "2026-12-08"))
    said = texts(dispatcher)
    assert "commande CM100234" in said and "désolés" in said
    assert "livrée le mardi 8 décembre" in said
    message = dispatcher.messages[0]
    assert message["buttons"] == [
        replies.WAIT,
        replies.OPEN_CLAIM,
        replies.HUMAN,
        replies.STOP_NOTICES,
    ]
    assert message[channels.TAG_KEY] == "POST_PURCHASE_UPDATE"  # the shop writes first
    assert slots_set(events) == {"order_number": "CM100234"}


def test_without_a_new_date_the_notice_says_so_rather_than_guessing(back_office):
    _, dispatcher = run(ActionNotifyDelay(), notice("CM100234", ""))
    assert "pas encore communiqué de nouvelle date" in texts(dispatcher)


def test_a_notice_without_a_number_says_nothing(back_office):
    events, dispatcher = run(ActionNotifyDelay(), notice("", "2026-12-08"))
    assert dispatcher.messages == [] and events == []


def test_stop_ends_the_notices_of_the_conversation(back_office):
    _, dispatcher = run(ActionStopNotices(), tracker(intent="stop_notices"))
    assert back_office.stopped == ["test-conversation"]
    assert texts(dispatcher) == replies.NOTICES_STOPPED


def test_stop_while_the_back_office_is_down_says_it_did_not_work(back_office):
    back_office.down = True
    _, dispatcher = run(ActionStopNotices(), tracker(intent="stop_notices"))
    assert "n'ai pas pu enregistrer" in texts(dispatcher) and back_office.stopped == []
