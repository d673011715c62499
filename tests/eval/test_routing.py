"""The intent → route mapping and the scoring, as pure functions (no Rasa, no index)."""

from __future__ import annotations

import pytest

from bot.tools.eval.routing import Gold, needs_kb, predict_routes, route_of, score

ORDER = [{"entity": "order_number", "value": "CM123456"}]


@pytest.mark.parametrize(
    "intent",
    [
        "track_order",
        "delivery_time",
        "cancel_order",
        "return_item",
        "refund_status",
        "problem_report",
        "change_order",
        "greet",
        "goodbye",
        "thank",
        "affirm",
        "deny",
    ],
)
def test_capability_intents_are_their_own_route(intent):
    assert not needs_kb(intent)
    assert route_of(intent) == intent


def test_a_product_question_is_answered_from_the_catalogue():
    assert route_of("ask_product") == "faq:product"  # no knowledge-base verdict needed


def test_human_handoff_is_handoff():
    assert route_of("human_handoff") == "handoff"


@pytest.mark.parametrize("intent", ["faq", "nlu_fallback"])
def test_kb_decides_faq_and_fallback(intent):
    assert needs_kb(intent)
    assert route_of(intent, (), ("answer", "payment")) == "faq:payment"
    assert route_of(intent, (), ("choose", "promo")) == "faq:promo"
    assert route_of(intent, (), ("none", "promo")) == "handoff"
    assert route_of(intent, (), ("none", None)) == "handoff"


def test_kb_verdict_is_required_when_the_kb_decides():
    with pytest.raises(ValueError):
        route_of("faq")


def test_inform_with_an_order_number_tracks_it_else_asks_the_kb():
    assert not needs_kb("inform", ORDER)
    assert route_of("inform", ORDER) == "track_order"
    assert needs_kb("inform", [{"entity": "email", "value": "a@b.fr"}])
    assert route_of("inform", [], ("answer", "account")) == "faq:account"
    assert route_of("inform", [], ("none", None)) == "handoff"


@pytest.mark.parametrize("intent", ["wait", "stop", "bot_challenge", "out_of_scope"])
def test_non_capabilities_are_never_a_route(intent):
    assert not needs_kb(intent)
    assert route_of(intent) == f"other:{intent}"


def test_missing_intent_asks_the_kb_and_an_unknown_one_is_never_credited():
    assert needs_kb(None)
    assert route_of(None, (), ("answer", "gift")) == "faq:gift"
    assert not needs_kb("faq_feedback")
    assert route_of("faq_feedback") == "other:faq_feedback"


def test_score_counts_alt_as_correct_and_splits_precision_recall():
    golds = [
        Gold("track_order"),
        Gold("track_order"),
        Gold("delivery_time", "track_order"),
        Gold("faq:checkout", "handoff"),
        Gold("greet"),
    ]
    predicted = ["track_order", "handoff", "track_order", "handoff", "other:bot_challenge"]
    result = score(golds, predicted)
    assert result["n"] == 5
    assert result["accuracy"] == 0.6
    per = result["per_route"]
    # predicted twice, both acceptable (one through its alt)
    assert per["track_order"] == {"precision": 1.0, "recall": 0.5, "support": 2}
    # delivery_time: its item was answered by its alt, so recalled; never predicted
    assert per["delivery_time"] == {"precision": None, "recall": 1.0, "support": 1}
    # handoff predicted twice, acceptable once (alt of faq:checkout); no item has it as route
    assert per["handoff"] == {"precision": 0.5, "recall": None, "support": 0}
    assert per["faq:checkout"] == {"precision": None, "recall": 1.0, "support": 1}
    assert per["greet"] == {"precision": None, "recall": 0.0, "support": 1}
    assert "other:bot_challenge" not in per  # not a route: only in the confusion counts
    assert result["confusion"] == {
        "track_order": {"handoff": 1, "track_order": 2},
        "handoff": {"handoff": 1},
        "greet": {"other:bot_challenge": 1},
    }
    assert {(c["gold"], c["predicted"], c["count"]) for c in result["top_confusions"]} == {
        ("track_order", "handoff", 1),
        ("greet", "other:bot_challenge", 1),
    }


def test_score_of_nothing_and_mismatched_lengths():
    assert score([], [])["accuracy"] == 0.0
    with pytest.raises(ValueError):
        score([Gold("greet")], [])


def test_predict_routes_asks_the_kb_only_when_the_dialogue_would():
    parses = {
        "a": {"intent": {"name": "greet"}, "entities": []},
        "b": {"intent": {"name": "nlu_fallback"}, "entities": []},
        "c": {"intent": {"name": "inform"}, "entities": ORDER},
    }
    asked = []

    def kb(text):
        asked.append(text)
        return ("answer", "invoice")

    rows = predict_routes(["a", "b", "c"], parses.__getitem__, kb)
    assert [r["route"] for r in rows] == ["greet", "faq:invoice", "track_order"]
    assert asked == ["b"]


def test_load_labelled_reads_alt_and_limit(tmp_path):
    from bot.tools.eval.runner import load_labelled

    path = tmp_path / "x.jsonl"
    path.write_text(
        '{"text": "salut", "route": "greet"}\n\n'
        '{"text": "ça coûte ?", "route": "faq:delivery_cost", "alt": "handoff"}\n'
        '{"text": "merci", "route": "thank"}\n'
    )
    texts, golds = load_labelled(path, limit=2)
    assert texts == ["salut", "ça coûte ?"]
    assert golds == [Gold("greet"), Gold("faq:delivery_cost", "handoff")]
    path.write_text('{"text": "salut"}\n')
    with pytest.raises(ValueError):
        load_labelled(path)


def test_markdown_renders_every_section():
    from bot.tools.eval.runner import markdown

    routes = score([Gold("greet"), Gold("thank")], ["greet", "handoff"])
    routes.update(file="x.jsonl", kb_searched=1)
    text = markdown(
        {
            "generated": "now",
            "routes": routes,
            "kb": {"methods": {"hybrid": {"hit@1": 0.5, "hit@3": 1.0, "mrr": 0.75}}},
            "stories": {
                "conversation_accuracy": 1.0,
                "conversations_correct": 2,
                "conversations_total": 2,
                "action_accuracy": 1.0,
            },
        }
    )
    assert "accuracy 0.500" in text and "`thank` → `handoff`: 1" in text
    assert "| hybrid | 0.500 | 1.000 | 0.750 |" in text and "(2/2 stories)" in text
