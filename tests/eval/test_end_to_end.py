"""Reading a route from what the product did (bot/tools/eval/end_to_end.py): pure, on tracker events
shaped as Rasa's HTTP API returns them."""

from __future__ import annotations

from bot.tools.eval.end_to_end import first_turn, route_of_turn


def user(text: str) -> dict:
    return {"event": "user", "text": text}


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def slot(name: str, value: object) -> dict:
    return {"event": "slot", "name": name, "value": value}


def test_only_the_first_turn_counts():
    events = [
        action("action_session_start"),
        user("bonjour"),
        action("utter_greet"),
        action("action_listen"),
        user("je veux annuler"),
        action("cancel_order_form"),
    ]
    assert route_of_turn(first_turn(events)) == "greet"


def test_a_request_wins_over_the_greeting_that_came_with_it():
    turn = [
        user("bonjour, où est ma commande ?"),
        action("utter_greet"),
        action("track_order_form"),
        {"event": "active_loop", "name": "track_order_form"},
    ]
    assert route_of_turn(turn) == "track_order"


def test_a_handoff_wins_over_everything():
    turn = [
        user("c'est honteux !!!"),
        action("track_order_form"),
        action("action_human_handoff"),
        slot("handoff_active", True),
    ]
    assert route_of_turn(turn) == "handoff"
    assert route_of_turn([user("x"), slot("handoff_active", True)]) == "handoff"


def test_the_knowledge_base_topic_names_the_route():
    turn = [
        user("code promo ?"),
        action("action_answer_faq"),
        slot("kb_entry", "promo.code"),
        slot("kb_topic", "promo"),
    ]
    assert route_of_turn(turn) == "faq:promo"
    offered = [user("paiement"), action("action_fallback"), slot("kb_topic", "payment")]
    assert route_of_turn(offered) == "faq:payment"


def test_delivery_times_and_small_talk_and_the_rest():
    assert route_of_turn([user("délais ?"), action("action_delivery_times")]) == "delivery_time"
    assert route_of_turn([user("merci"), action("utter_thank")]) == "thank"
    assert route_of_turn([user("oui"), action("utter_affirm_nothing_pending")]) == "affirm"
    assert route_of_turn([user("???"), action("action_fallback")]) == "other:action_fallback"
    assert route_of_turn([user("")]) == "other:nothing"


def test_a_response_chosen_by_a_custom_action_counts_as_said():
    turn = [
        user("laissez tomber"),
        action("action_abandon_request"),
        {
            "event": "bot",
            "text": "D'accord.",
            "metadata": {"utter_action": "utter_deny_nothing_pending"},
        },
    ]
    assert route_of_turn(turn) == "deny"


def test_a_product_answer_is_the_product_route_unless_the_knowledge_base_answered():
    shown = [user("le pull en M ?"), action("action_answer_product"), slot("product_shown", "X")]
    assert route_of_turn(shown) == "faq:product"
    not_sold = [user("une trottinette ?"), action("action_answer_product")]
    assert route_of_turn(not_sold) == "faq:product"
    policy = [user("échantillons ?"), action("action_answer_product"), slot("kb_topic", "gift")]
    assert route_of_turn(policy) == "faq:gift"
    # the knowledge base had nothing sure, the catalogue had the product
    via_faq = [user("x"), action("action_answer_faq"), slot("product_shown", "X")]
    assert route_of_turn(via_faq) == "faq:product"


def test_the_products_listed_are_read_from_the_details_buttons_in_order():
    from bot.tools.eval.products import listed_skus

    messages = [
        {
            "text": "Voici ce que j'ai trouvé :",
            "buttons": [
                {"title": "Pull", "payload": '/ask_product{"product_sku": "MOD-1001"}'},
                {"title": "Jean", "payload": '/ask_product{"product_sku": "MOD-1002"}'},
                {"title": "Parler à un conseiller", "payload": "/human_handoff"},
                {"title": "Utile", "payload": '/faq_feedback{"helpful": "yes"}'},
            ],
        },
        {"text": "plain"},
    ]
    assert listed_skus(messages) == ["MOD-1001", "MOD-1002"]
