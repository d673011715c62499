"""Knowledge-base answers and the fallback that tries the knowledge base first."""

from __future__ import annotations

import pytest

from actions import faq
from bot.core import replies
from bot.kb import Hit, NoIndexError, SearchResult
from tests.actions.conftest import run, slots_set, texts, tracker


def hit(entry_id: str, question: str) -> Hit:
    return Hit(
        id=entry_id,
        topic="payment",
        question=question,
        answer=f"Réponse à {question}",
        score=0.9,
        dense_score=0.8,
        lexical_score=0.9,
        legs=("dense", "lexical"),
    )


HITS = (
    hit("payment.instalments", "Puis-je payer en plusieurs fois ?"),
    hit("payment.methods", "Quels moyens de paiement acceptez-vous ?"),
    hit("payment.refused", "Ma carte est refusée, que faire ?"),
)


@pytest.fixture
def kb_says(knowledge_base):
    def install(outcome: str | None) -> list[str]:
        def answer(query: str) -> SearchResult:
            if outcome is None:
                raise NoIndexError("no index published yet")
            return SearchResult(
                query=query, outcome=outcome, confidence=0.8, hits=HITS if outcome != "none" else ()
            )

        knowledge_base.answer = answer
        return knowledge_base.queries

    return install


def test_confident_answer_is_given(kb_says):
    asked = kb_says("answer")
    events, dispatcher = run(faq.ActionAnswerFaq(), tracker(text="je peux payer en 3 fois ?"))
    assert texts(dispatcher) == "Réponse à Puis-je payer en plusieurs fois ?"
    assert asked == ["je peux payer en 3 fois ?"]
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == [
        '/faq_feedback{"helpful": "yes"}',
        '/faq_feedback{"helpful": "no"}',
    ]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "kb_entry", "value": "payment.instalments"},
        {"event": "slot", "timestamp": None, "name": "kb_topic", "value": "payment"},
    ]


def test_unsure_offers_the_top_three_as_buttons(kb_says):
    kb_says("choose")
    events, dispatcher = run(faq.ActionAnswerFaq(), tracker(text="paiement"))
    assert slots_set(events) == {"kb_topic": HITS[0].topic}
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["payload"] for b in buttons[:3]] == [h.question for h in HITS]
    assert buttons[-1]["payload"] == "/human_handoff"


@pytest.mark.parametrize("outcome", ["none", None])
def test_no_answer_or_no_index_offers_a_human(kb_says, outcome):
    kb_says(outcome)
    _, dispatcher = run(faq.ActionAnswerFaq(), tracker(text="question bizarre"))
    assert "pas trouvé de réponse sûre" in texts(dispatcher)
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "Parler à un conseiller", "payload": "/human_handoff"}
    ]


def test_fallback_tries_the_knowledge_base_first(kb_says):
    kb_says("answer")
    _, dispatcher = run(faq.ActionFallback(), tracker(text="paiement en plusieurs fois"))
    assert texts(dispatcher).startswith("Réponse à")


def test_fallback_without_an_answer_offers_the_menu(kb_says):
    kb_says("none")
    _, dispatcher = run(faq.ActionFallback(), tracker(text="blabla"))
    assert dispatcher.messages[0]["response"] == "utter_default"


def test_fallback_in_a_form_asks_again_without_searching(kb_says):
    asked = kb_says("answer")
    events, dispatcher = run(
        faq.ActionFallback(),
        tracker({"requested_slot": "order_number"}, active_loop="track_order_form"),
    )
    assert texts(dispatcher) == replies.slot_hint("order_number")
    assert "CM, suivi de 6 chiffres" in texts(dispatcher)  # the demo shop's format
    assert events[0]["name"] == "track_order_form" and asked == []


def test_fallback_on_an_order_number_alone_looks_the_order_up(kb_says):
    asked = kb_says("none")
    t = tracker(text="CM483391")
    t.latest_message["entities"] = [{"entity": "order_number", "value": "CM483391"}]
    events, dispatcher = run(faq.ActionFallback(), t)
    assert events == [{"event": "followup", "timestamp": None, "name": "track_order_form"}]
    assert dispatcher.messages == [] and asked == []


@pytest.mark.parametrize("action", [faq.ActionAnswerFaq(), faq.ActionFallback()])
def test_not_knowing_offers_the_nearest_questions_not_a_person(knowledge_base, action):
    """Nothing sure: the closest questions and a way forward; a person is offered, not
    imposed (the first time)."""
    knowledge_base.answer = lambda query: SearchResult(
        query=query, outcome="none", confidence=0.1, hits=HITS
    )
    events, dispatcher = run(action, tracker(text="une question que la FAQ ne couvre pas"))
    buttons = dispatcher.messages[0]["buttons"]
    assert [b["title"] for b in buttons[:3]] == [h.question for h in HITS]
    assert buttons[-1]["payload"] == "/human_handoff"
    assert "pas de réponse sûre" in texts(dispatcher)
    assert slots_set(events)["kb_topic"] == "payment"
    assert "handoff_active" not in slots_set(events)
