"""After hours, the agent's reply also by e-mail (issue 19, actions/handoff_email.py): offered
once per conversation when a hand-off opens while the team is away and the back office can send
mail; refused; a bad address asked again once, with an example; a good one registered."""

from __future__ import annotations

from typing import Any

import pytest

from actions.handoff import ActionHumanHandoff, ActionRelayToAgent
from bot.core import replies
from bot.settings import get_settings
from tests.actions.conftest import FakeBackOffice, run, slots_set, texts, tracker

WEB = "web-0123456789abcdef0123456789abcdef.c2lnbmF0dXJl"


@pytest.fixture
def registered(back_office: FakeBackOffice, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The back office's side of the address (bot/backoffice/routes/mail.py), recorded."""
    calls: list[tuple[str, str]] = []

    def register_email(conversation_id: str, email: str) -> None:
        back_office._check()
        calls.append((conversation_id, email))

    monkeypatch.setattr(back_office, "register_email", register_email, raising=False)
    return calls


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "smtp_host", "smtp.exemple.test")


def asking(sender: str = WEB, events: list[dict[str, Any]] | None = None) -> Any:
    t = tracker(text="je veux parler à un conseiller", intent="human_handoff", events=events)
    t.sender_id = sender
    t.latest_message["mood"] = {"label": "calm", "compound": 0.0, "cues": []}
    return t


def offer_of(dispatcher: Any) -> dict[str, Any] | None:
    found = [m for m in dispatcher.messages if m.get("email") == "offered"]
    return found[0] if found else None


# ------------------------------------------------------------------ the offer
def test_offered_after_hours_with_consent_text_and_two_buttons(smtp, back_office):
    back_office.open_now = False
    events, dispatcher = run(ActionHumanHandoff(), asking())
    assert slots_set(events)["handoff_active"] is True
    assert len(dispatcher.messages) == 2  # when the team is back, then the offer
    offer = offer_of(dispatcher)
    assert offer is not None
    assert "par e-mail" in offer["text"] and "ne servira qu'à cela" in offer["text"]
    assert "au plus tard 6 mois après votre dernier message" in offer["text"]  # 182 days
    assert offer["buttons"] == [
        {"title": "Oui, par e-mail", "payload": "/affirm"},
        {"title": "Non merci", "payload": "/deny"},
    ]


@pytest.mark.parametrize(
    ("case", "smtp_host", "open_now", "sender"),
    [
        ("team open", "smtp.exemple.test", True, WEB),
        ("no SMTP server", "", False, WEB),
        ("not the web widget", "smtp.exemple.test", False, "telegram-123456"),
    ],
)
def test_not_offered(case, smtp_host, open_now, sender, back_office, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_host", smtp_host)
    back_office.open_now = open_now
    _, dispatcher = run(ActionHumanHandoff(), asking(sender))
    assert len(back_office.handoffs) == 1, case
    assert offer_of(dispatcher) is None, case
    assert len(dispatcher.messages) == 1, case


def test_offered_only_once_per_conversation(smtp, back_office):
    back_office.open_now = False
    before = [
        {"event": "bot", "text": "Voulez-vous…", "metadata": {"email": "offered"}},
        {"event": "user", "text": "/deny", "parse_data": {"intent": {"name": "deny"}}},
        {"event": "bot", "text": "Entendu…", "metadata": {"email": "done"}},
        {"event": "user", "text": "je veux parler à un conseiller"},
    ]
    _, dispatcher = run(ActionHumanHandoff(), asking(events=before))
    assert len(back_office.handoffs) == 1
    assert offer_of(dispatcher) is None


# ------------------------------------------------------------------ the answers
def answering(step: str, text: str, intent: str = "inform", earlier: int = 0) -> Any:
    """The shopper's message right after the bot's e-mail message in state `step`."""
    events: list[dict[str, Any]] = [
        {"event": "bot", "text": "…", "metadata": {"email": step}},
        *[{"event": "user", "text": f"message {n}"} for n in range(earlier)],
        {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}},
    ]
    t = tracker(text=text, intent=intent, slots={"handoff_active": True}, events=events)
    t.sender_id = WEB
    return t


def test_consent_refused(smtp, back_office, registered):
    events, dispatcher = run(ActionRelayToAgent(), answering("offered", "/deny", "deny"))
    assert events == []
    assert texts(dispatcher) == replies.EMAIL_DECLINED
    assert dispatcher.messages[0]["email"] == "done"
    assert back_office.messages == [] and registered == []


def test_consent_given_then_the_address_is_asked(smtp, back_office, registered):
    _, dispatcher = run(ActionRelayToAgent(), answering("offered", "/affirm", "affirm"))
    assert texts(dispatcher) == replies.EMAIL_ASK
    assert dispatcher.messages[0]["email"] == "asked"
    assert back_office.messages == []


def test_a_bad_address_then_a_good_one(smtp, back_office, registered):
    _, dispatcher = run(ActionRelayToAgent(), answering("asked", "jeanne.martin@exemple"))
    assert texts(dispatcher) == replies.EMAIL_ASK_AGAIN
    assert "par exemple : prenom.nom@exemple.fr" in texts(dispatcher)
    assert dispatcher.messages[0]["email"] == "asked_again"
    assert registered == []

    _, dispatcher = run(
        ActionRelayToAgent(), answering("asked_again", "c'est Jeanne.Martin@Exemple.fr")
    )
    assert registered == [(WEB, "Jeanne.Martin@exemple.fr")]
    assert texts(dispatcher) == replies.EMAIL_GIVEN.format(email="Jeanne.Martin@exemple.fr")
    assert dispatcher.messages[0]["email"] == "done"
    assert back_office.messages == []  # the address is the case's, not a message to the agent


def test_two_bad_addresses_and_the_bot_gives_up(smtp, back_office, registered):
    _, dispatcher = run(ActionRelayToAgent(), answering("asked_again", "je ne sais plus"))
    assert texts(dispatcher) == replies.EMAIL_GIVEN_UP
    assert dispatcher.messages[0]["email"] == "done"
    assert registered == []


def test_a_no_instead_of_the_address(smtp, back_office, registered):
    _, dispatcher = run(ActionRelayToAgent(), answering("asked", "non merci", "deny"))
    assert texts(dispatcher) == replies.EMAIL_DECLINED and registered == []


def test_the_back_office_down_when_the_address_is_given(smtp, back_office, registered):
    back_office.down = True
    _, dispatcher = run(ActionRelayToAgent(), answering("asked", "jeanne@exemple.fr"))
    assert texts(dispatcher) == replies.EMAIL_NOT_SAVED
    assert registered == []


def test_something_else_after_the_offer_goes_to_the_agent(smtp, back_office, registered):
    _, dispatcher = run(
        ActionRelayToAgent(), answering("offered", "mon colis est arrivé cassé", "problem_report")
    )
    assert dispatcher.messages == []
    assert back_office.messages == [(WEB, "mon colis est arrivé cassé")]


def test_only_the_very_next_message_answers(smtp, back_office, registered):
    """The question lapses once the shopper wrote something else: a later address-like
    message is for the agent."""
    _, dispatcher = run(ActionRelayToAgent(), answering("asked", "jeanne@exemple.fr", earlier=1))
    assert dispatcher.messages == [] and registered == []
    assert back_office.messages == [(WEB, "jeanne@exemple.fr")]
