"""How long a proof of ownership lasts (bot/dialogue/ownership.py)."""

from __future__ import annotations

from bot.dialogue.ownership import proof_expired

HOUR = 3600.0


def slot(value: str, at: float | None) -> dict:
    return {"event": "slot", "name": "verified_order", "value": value, "timestamp": at}


def user(at: float) -> dict:
    return {"event": "user", "text": "…", "timestamp": at}


def test_a_proof_given_during_this_action_counts():
    assert not proof_expired([user(0), slot("CM1", None)], "CM1", HOUR)


def test_a_proof_lasts_while_the_shopper_keeps_talking():
    events = [user(0), slot("CM1", 10), user(1000), user(2000), user(3000), user(4500)]
    assert not proof_expired(events, "CM1", HOUR)


def test_a_long_silence_after_the_proof_ends_it_for_good():
    events = [user(0), slot("CM1", 10), user(2 * HOUR), user(2 * HOUR + 5)]
    assert proof_expired(events, "CM1", HOUR)
    assert proof_expired(events[:3], "CM1", HOUR)


def test_silences_before_the_proof_do_not_count_and_a_new_proof_starts_again():
    events = [user(0), user(5 * HOUR), slot("CM1", 5 * HOUR + 1), user(5 * HOUR + 60)]
    assert not proof_expired(events, "CM1", HOUR)
    again = [user(0), slot("CM1", 1), user(3 * HOUR), slot("CM1", 3 * HOUR + 1), user(3 * HOUR + 9)]
    assert not proof_expired(again, "CM1", HOUR)


def test_only_the_proof_of_that_order_counts():
    events = [slot("CM2", 10), user(2 * HOUR)]
    assert not proof_expired(events, "CM1", HOUR)  # never proved here: the slot check decides
    assert proof_expired(events, "CM2", HOUR)
