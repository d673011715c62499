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
    first_name,
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


def agent_reply(text: str, name: str | None, events: list[dict[str, Any]] | None = None):
    entities = [{"entity": "agent_text", "value": text}]
    if name is not None:
        entities.append({"entity": "agent_name", "value": name})
    return with_message(
        "EXTERNAL: agent_reply", intent="agent_reply", entities=entities, events=events
    )


HANDED_OVER = [
    {"event": "user", "text": "un conseiller svp", "input_channel": "socketio"},
    {
        "event": "bot",
        "text": "Je vous mets en relation…",
        "metadata": {"widget": {"handoff": "start"}},
    },
    {"event": "slot", "name": "handoff_active", "value": True},
]


def julie_said(text: str) -> dict[str, Any]:
    return {
        "event": "bot",
        "text": f"Julie (service client) : {text}",
        "metadata": {"agent": "Julie"},
    }


def test_agent_reply_is_said_with_the_agents_name():
    _, dispatcher = run(
        ActionAgentReply(),
        agent_reply("Je regarde votre colis.", "Julie", HANDED_OVER + [julie_said("Bonjour")]),
    )
    [message] = dispatcher.messages
    assert message["text"] == "Julie (service client) : Je regarde votre colis."
    assert message["agent"] == "Julie"
    # for the widget: who, and the words as written (it shows the name above them)
    assert message["widget"] == {"agent": "Julie", "text": "Je regarde votre colis."}


def test_an_agents_first_reply_in_a_case_says_they_joined():
    _, dispatcher = run(ActionAgentReply(), agent_reply("Bonjour !", "Julie Martin", HANDED_OVER))
    joined, reply = dispatcher.messages
    assert joined["text"] == "Julie, du service client, a rejoint la conversation."
    assert joined["widget"] == {"agent": "Julie", "note": True}
    assert "agent" not in joined  # a note, not a reply: the transcript keeps its own turn
    assert reply["text"] == "Julie (service client) : Bonjour !"  # the first name only


def test_a_colleague_taking_over_and_a_new_case_say_so_again():
    _, colleague = run(
        ActionAgentReply(),
        agent_reply("Je prends la suite.", "Marc", HANDED_OVER + [julie_said("x")]),
    )
    assert colleague.messages[0]["text"] == "Marc, du service client, a rejoint la conversation."
    earlier_case = HANDED_OVER + [
        julie_said("x"),
        {"event": "slot", "name": "handoff_active", "value": False},
    ]
    _, again = run(
        ActionAgentReply(), agent_reply("Re-bonjour", "Julie", earlier_case + HANDED_OVER)
    )
    assert [m["text"] for m in again.messages] == [
        "Julie, du service client, a rejoint la conversation.",
        "Julie (service client) : Re-bonjour",
    ]


def test_the_shopper_never_sees_an_agents_e_mail_address():
    assert first_name("julie.martin@boutique.fr") == "Conseiller"
    assert first_name("  ") == "Conseiller" and first_name(None) == "Conseiller"
    assert first_name("Julie Martin") == "Julie"
    _, dispatcher = run(ActionAgentReply(), agent_reply("Bonjour", None, HANDED_OVER))
    assert dispatcher.messages[-1]["text"] == "Conseiller (service client) : Bonjour"


def test_an_empty_agent_reply_says_nothing():
    _, dispatcher = run(ActionAgentReply(), agent_reply("", "Julie", HANDED_OVER))
    assert dispatcher.messages == []


def test_the_widget_is_told_when_a_hand_off_starts_and_ends(back_office):
    _, started = run(ActionHumanHandoff(), with_message("un humain svp"))
    assert started.messages[-1]["widget"] == {"handoff": "start"}
    back_office.closed.add("test-conversation")
    _, over = run(
        ActionRelayToAgent(), with_message("allô ?", intent="greet", slots={"handoff_active": True})
    )
    for action in (ActionHandoffResolved(), ActionHandoffReturned()):
        _, ended = run(action, with_message("EXTERNAL", slots={"handoff_active": True}))
        assert ended.messages[-1]["widget"] == {"handoff": "end"}
    assert over.messages[-1]["widget"] == {"handoff": "end"}


def test_no_hand_off_no_start_for_the_widget(back_office):
    back_office.down = True
    _, dispatcher = run(ActionHumanHandoff(), with_message("un humain svp"))
    assert all("widget" not in m for m in dispatcher.messages)


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
    return kb.SearchResult(query=text, outcome="none", confidence=0.1, hits=())


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
