"""What the agent reads first and what the shopper is told while waiting."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.clients.backoffice.models import HandoffTicket
from bot.dialogue.handoff import summarise, waiting_message


def ticket(**changes) -> HandoffTicket:
    base = dict(
        id=1,
        conversation_id="c",
        status="waiting",
        open_now=True,
        agents_online=1,
        expected_wait_minutes=4,
        answer_by=None,
    )
    return HandoffTicket(**{**base, **changes})


def user(text: str, intent: str) -> dict:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


def test_summary_names_the_request_and_quotes_the_shopper():
    summary = summarise(
        [
            user("je veux annuler", "cancel_order"),
            {"event": "bot", "text": "Quel est le numéro ?"},
            user("/human_handoff", "human_handoff"),
            user("EXTERNAL: agent_reply", "agent_reply"),
        ],
        "CM100234",
    )
    assert summary.request == "Annulation de commande — « je veux annuler »"
    assert summary.order_number == "CM100234"
    assert [t.sender for t in summary.last_messages] == ["shopper", "bot"]


def test_summary_quotes_the_request_not_a_later_answer():
    """The inbox quoted "« 34000 »" for a late parcel (issue 19, defect 7)."""
    summary = summarise(
        [
            user("mon colis n'est toujours pas arrivé", "track_order"),
            {"event": "bot", "text": "Votre e-mail ou code postal ?"},
            user("34000", "inform"),
            user("je veux parler à quelqu'un", "human_handoff"),
        ],
        "CM100234",
    )
    assert summary.request == "Suivi de commande — « mon colis n'est toujours pas arrivé »"


def test_summary_without_a_known_request_quotes_the_last_message():
    summary = summarise([user("blabla", "nlu_fallback")], None)
    assert summary.request == "blabla" and summary.order_number is None


def test_summary_keeps_the_last_ten_messages():
    summary = summarise([user(f"m{i}", "greet") for i in range(30)], None)
    assert [t.text for t in summary.last_messages] == [f"m{i}" for i in range(20, 30)]


def test_waiting_with_someone_online():
    assert "dans 4 minutes environ" in waiting_message(ticket(), "Europe/Paris")
    assert "dans un instant" in waiting_message(ticket(expected_wait_minutes=1), "Europe/Paris")


def test_closed_says_when_in_the_shops_time_zone():
    text = waiting_message(
        ticket(
            open_now=False,
            agents_online=0,
            expected_wait_minutes=None,
            answer_by=datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc),
        ),
        "Europe/Paris",
    )
    assert text.startswith("Notre service client est fermé")
    assert "lundi 30 novembre à 9 h" in text
