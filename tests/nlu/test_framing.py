"""Courtesy does not hide the request it frames (bot/nlu/framing.py)."""

from __future__ import annotations

from typing import Dict, List, Tuple

from bot.nlu import framing

Ranking = List[Tuple[str, float]]


class Scripted:
    """A model whose rankings are given per text; it records what it was asked."""

    def __init__(self, rankings: Dict[str, Ranking]) -> None:
        self.rankings = rankings
        self.asked: List[str] = []

    def rank(self, text: str) -> Ranking:
        self.asked.append(text)
        return self.rankings[text]


GREETING_FIRST = [("greet", 0.8), ("faq", 0.1)]
GOODBYE_FIRST = [("goodbye", 0.7), ("ask_product", 0.2)]


def test_the_request_after_a_greeting_wins_when_the_model_is_sure_of_it():
    model = Scripted(
        {
            "bonjour je n'arrive plus à me connecter": GREETING_FIRST,
            "je n'arrive plus à me connecter": [("faq", 0.6), ("stop", 0.1)],
        }
    )
    assert framing.rank(model, "bonjour je n'arrive plus à me connecter")[0] == ("faq", 0.6)


def test_a_greeting_stays_one_when_what_follows_is_no_sure_request():
    unsure = Scripted(
        {"bonjour, j'ai une question": GREETING_FIRST, "j'ai une question": [("faq", 0.4)]}
    )
    assert framing.rank(unsure, "bonjour, j'ai une question") == GREETING_FIRST
    polite = Scripted(
        {"Bonjour Madame, Monsieur": GREETING_FIRST, "Madame, Monsieur": [("inform", 0.9)]}
    )
    assert framing.rank(polite, "Bonjour Madame, Monsieur") == GREETING_FIRST


def test_one_word_after_the_greeting_is_not_classified_alone():
    model = Scripted({"bonjour madame": GREETING_FIRST})
    assert framing.rank(model, "bonjour madame") == GREETING_FIRST
    assert model.asked == ["bonjour madame"]


def test_a_request_signed_off_politely_is_the_request():
    text = "Vous avez ce parfum en 100 ml ? Merci d'avance, bonne journée. Marie"
    model = Scripted(
        {text: GOODBYE_FIRST, "Vous avez ce parfum en 100 ml ?": [("ask_product", 0.9)]}
    )
    assert framing.rank(model, text)[0] == ("ask_product", 0.9)


def test_thanks_inside_a_goodbye_do_not_turn_it_into_thanks():
    text = "Merci pour tout, c'était parfait. Bonne soirée"
    model = Scripted({text: GOODBYE_FIRST})
    # All of it is courtesy: nothing is left to classify alone.
    assert framing.rank(model, text) == GOODBYE_FIRST
    framed = "Le colis est bien arrivé, tout est parfait. Bonne soirée"
    thanks = Scripted(
        {framed: GOODBYE_FIRST, "Le colis est bien arrivé, tout est parfait.": [("thank", 0.9)]}
    )
    assert framing.rank(thanks, framed) == GOODBYE_FIRST


def test_other_intents_are_left_alone():
    model = Scripted({"bonjour, mon colis ?": [("track_order", 0.7), ("greet", 0.3)]})
    assert framing.rank(model, "bonjour, mon colis ?") == [("track_order", 0.7), ("greet", 0.3)]
    assert model.asked == ["bonjour, mon colis ?"]


def test_thanks_followed_by_but_are_the_problem_that_follows():
    text = "Merci pour la livraison rapide, mais le verre de la table est fissuré."
    model = Scripted(
        {
            text: [("thank", 0.6), ("problem_report", 0.4)],
            "le verre de la table est fissuré": [("problem_report", 0.9)],
        }
    )
    assert framing.rank(model, text)[0] == ("problem_report", 0.9)
    no_thanks = "merci mais non merci"
    polite = Scripted({no_thanks: [("thank", 0.8)], "non merci": [("deny", 0.9)]})
    assert framing.rank(polite, no_thanks) == [("thank", 0.8)]
