"""Handing over to a person: every trigger, what the agent is told, what the shopper is told,
the relay while an agent owns the conversation, and the way back to the bot."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import ActiveLoop

from actions.faq import ActionAnswerFaq, ActionFallback
from actions.handoff import (
    ActionAgentReply,
    ActionHandoffResolved,
    ActionHandoffReturned,
    ActionHumanHandoff,
    ActionRecordRating,
    ActionRelayToAgent,
)
from bot import kb
from tests.actions.conftest import run, slots_set, texts, tracker, verified

CONVERSATION = [
    {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "bot", "text": "Bonjour ! Que puis-je faire pour vous ?"},
    {
        "event": "user",
        "text": "je veux retourner mon pull",
        "parse_data": {"intent": {"name": "return_item"}},
    },
    {"event": "user", "text": "/affirm", "parse_data": {"intent": {"name": "affirm"}}},
    {
        "event": "user",
        "text": "EXTERNAL: agent_reply",
        "parse_data": {"intent": {"name": "agent_reply"}},
    },
]


def with_message(
    text: str,
    intent: str = "human_handoff",
    mood: str = "calm",
    entities: list[dict[str, Any]] | None = None,
    **kwargs: Any,
):
    t = tracker(text=text, intent=intent, **kwargs)
    t.latest_message["mood"] = {"label": mood, "compound": 0.0, "cues": []}
    t.latest_message["entities"] = entities or []
    return t


def test_asking_for_a_person_registers_the_conversation_with_what_the_agent_needs(
    shop, back_office
):
    t = with_message(
        "je veux un conseiller",
        slots=verified(),
        active_loop="return_item_form",
        events=CONVERSATION,
    )
    events, dispatcher = run(ActionHumanHandoff(), t)
    [request] = back_office.handoffs
    assert request.conversation_id == "test-conversation"
    assert request.reason.value == "asked" and request.priority == 3 and request.mood is None
    assert request.summary.order_number == "CM100234"
    assert request.summary.request.startswith("Retour d'article")
    # Said things only: no button payload, no back-office event.
    assert [(m.sender, m.text) for m in request.summary.last_messages] == [
        ("shopper", "bonjour"),
        ("bot", "Bonjour ! Que puis-je faire pour vous ?"),
        ("shopper", "je veux retourner mon pull"),
    ]
    assert ActiveLoop(None) in events
    assert slots_set(events)["handoff_active"] is True
    assert "dans 5 minutes environ" in texts(dispatcher)


def test_an_upset_shopper_is_handed_over_first(back_office):
    run(
        ActionHumanHandoff(),
        with_message("VOUS ÊTES DES ESCROCS", intent="track_order", mood="upset"),
    )
    [request] = back_office.handoffs
    assert request.reason.value == "upset" and request.priority == 1
    assert request.mood == "mécontent"


def test_nobody_online_says_when_a_person_will_answer(back_office):
    back_office.agents_online = 0
    _, dispatcher = run(ActionHumanHandoff(), with_message("un humain svp"))
    said = texts(dispatcher)
    assert "Aucun conseiller n'est disponible" in said
    assert "lundi 23 novembre à 9 h" in said  # 08:00 UTC is 9 h in Paris


def test_closed_says_so(back_office):
    back_office.open_now = False
    _, dispatcher = run(ActionHumanHandoff(), with_message("un humain svp"))
    assert "fermé" in texts(dispatcher)


def test_back_office_down_gives_contact_details_and_no_silent_state(back_office):
    back_office.down = True
    events, dispatcher = run(ActionHumanHandoff(), with_message("un humain svp"))
    assert "service-client@boutique-demo.fr" in texts(dispatcher)
    assert "handoff_active" not in slots_set(events)


def test_already_with_a_person_registers_nothing_twice(back_office):
    run(ActionHumanHandoff(), with_message("allô ?", slots={"handoff_active": True}))
    assert back_office.handoffs == []


def test_relay_passes_the_message_on_and_says_nothing(back_office):
    events, dispatcher = run(
        ActionRelayToAgent(),
        with_message("<b>toujours là ?</b>", intent="greet", slots={"handoff_active": True}),
    )
    assert back_office.messages == [("test-conversation", "<b>toujours là ?</b>")]
    assert dispatcher.messages == [] and events == []


def test_relay_to_a_case_closed_meanwhile_gives_the_conversation_back(back_office):
    back_office.closed.add("test-conversation")
    events, dispatcher = run(
        ActionRelayToAgent(), with_message("allô ?", intent="greet", slots={"handoff_active": True})
    )
    assert slots_set(events) == {"handoff_active": False}
    assert dispatcher.messages[0]["response"] == "utter_handoff_over"


def test_relay_with_the_back_office_down_stays_silent(back_office):
    back_office.down = True
    events, dispatcher = run(
        ActionRelayToAgent(), with_message("allô ?", intent="greet", slots={"handoff_active": True})
    )
    assert dispatcher.messages == [] and events == []


def test_agent_reply_is_said_with_the_agents_name():
    _, dispatcher = run(
        ActionAgentReply(),
        with_message(
            "EXTERNAL: agent_reply",
            intent="agent_reply",
            entities=[
                {"entity": "agent_text", "value": "Je regarde votre colis."},
                {"entity": "agent_name", "value": "Julie"},
            ],
        ),
    )
    [message] = dispatcher.messages
    assert message["text"] == "Julie (service client) : Je regarde votre colis."
    assert message["agent"] == "Julie"


def test_resolution_gives_the_conversation_back_and_asks_for_a_rating():
    events, dispatcher = run(
        ActionHandoffResolved(),
        with_message(
            "EXTERNAL: handoff_resolved", intent="handoff_resolved", slots={"handoff_active": True}
        ),
    )
    assert slots_set(events) == {"handoff_active": False}
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_rating"
    assert [b["payload"] for b in message["buttons"]][0] == '/rate{"rating": "5"}'
    assert len(message["buttons"]) == 5


def test_handing_back_without_resolution():
    events, dispatcher = run(
        ActionHandoffReturned(),
        with_message(
            "EXTERNAL: handoff_returned", intent="handoff_returned", slots={"handoff_active": True}
        ),
    )
    assert slots_set(events) == {"handoff_active": False}
    assert dispatcher.messages[0]["response"] == "utter_handoff_returned"


def test_rating_is_recorded_with_the_conversation(back_office):
    run(
        ActionRecordRating(),
        with_message("/rate", intent="rate", entities=[{"entity": "rating", "value": "4"}]),
    )
    assert back_office.ratings == [("test-conversation", 4)]


def test_rating_out_of_range_is_not_recorded(back_office):
    _, dispatcher = run(
        ActionRecordRating(),
        with_message("/rate", intent="rate", entities=[{"entity": "rating", "value": "9"}]),
    )
    assert back_office.ratings == []
    assert dispatcher.messages[0]["response"] == "utter_thank_rating"


def nothing_found(text: str) -> kb.SearchResult:
    return kb.SearchResult(query=text, outcome="none", confidence=0.1, hits=[])


def unsure_tracker(turns: int, last_unsure: float | None):
    events = [{"event": "user", "text": f"message {i}"} for i in range(turns)]
    return with_message(
        "blablabla", intent="nlu_fallback", events=events, slots={"unsure_turn": last_unsure}
    )


def test_unsure_twice_in_a_row_hands_over(knowledge_base, back_office):
    knowledge_base.answer = nothing_found
    events, dispatcher = run(ActionFallback(), unsure_tracker(turns=1, last_unsure=None))
    assert back_office.handoffs == [] and slots_set(events) == {"unsure_turn": 1.0}
    assert dispatcher.messages[0]["response"] == "utter_default"
    events, _ = run(ActionFallback(), unsure_tracker(turns=2, last_unsure=1.0))
    assert [h.reason.value for h in back_office.handoffs] == ["unsure"]
    assert slots_set(events)["handoff_active"] is True


def test_unsure_twice_but_not_in_a_row_does_not(knowledge_base, back_office):
    knowledge_base.answer = nothing_found
    run(ActionAnswerFaq(), unsure_tracker(turns=5, last_unsure=2.0))
    assert back_office.handoffs == []
