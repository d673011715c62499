"""A greeting does not hide the request after it (bot/nlu/past_greeting.py)."""

from __future__ import annotations

from typing import Dict, List, Tuple

from bot.nlu import past_greeting

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


def test_the_request_after_a_greeting_wins_when_the_model_is_sure_of_it():
    model = Scripted(
        {
            "bonjour je n'arrive plus à me connecter": GREETING_FIRST,
            "je n'arrive plus à me connecter": [("faq", 0.6), ("stop", 0.1)],
        }
    )
    assert past_greeting.rank(model, "bonjour je n'arrive plus à me connecter")[0] == ("faq", 0.6)


def test_a_greeting_stays_one_when_what_follows_is_no_sure_request():
    unsure = Scripted(
        {"bonjour, j'ai une question": GREETING_FIRST, "j'ai une question": [("faq", 0.4)]}
    )
    assert past_greeting.rank(unsure, "bonjour, j'ai une question") == GREETING_FIRST
    polite = Scripted(
        {"Bonjour Madame, Monsieur": GREETING_FIRST, "Madame, Monsieur": [("inform", 0.9)]}
    )
    assert past_greeting.rank(polite, "Bonjour Madame, Monsieur") == GREETING_FIRST


def test_one_word_after_the_greeting_is_not_classified_alone():
    model = Scripted({"bonjour madame": GREETING_FIRST})
    assert past_greeting.rank(model, "bonjour madame") == GREETING_FIRST
    assert model.asked == ["bonjour madame"]


def test_other_intents_are_left_alone():
    model = Scripted({"bonjour, mon colis ?": [("track_order", 0.7), ("greet", 0.3)]})
    assert past_greeting.rank(model, "bonjour, mon colis ?") == [
        ("track_order", 0.7),
        ("greet", 0.3),
    ]
    assert model.asked == ["bonjour, mon colis ?"]
