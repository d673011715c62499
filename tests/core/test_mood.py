"""The mood annotator's rules on messages written for these tests (never on ../shared/eval)."""

from __future__ import annotations

import pytest

from bot.core.mood import CALM, UPSET, assess, shouting


@pytest.mark.parametrize(
    "text",
    [
        "Je vais porter plainte si je ne suis pas remboursé",
        "Mon avocat va vous contacter",
        "Vous êtes des escrocs",
        "c'est une arnaque ce site",
        "J'en ai marre d'attendre",
        "C'EST LA TROISIÈME FOIS QUE JE VOUS ÉCRIS, C'EST INADMISSIBLE",
        "Service lamentable, plus jamais je ne commanderai chez vous",
    ],
)
def test_upset(text: str):
    assert assess(text).label == UPSET


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, où en est ma commande CM483391 ?",
        "je voudrais retourner un pull trop petit",
        "le colis est arrivé abîmé",  # a claim for the claims flow, not anger
        "je suis un peu déçu du délai",
        "Merci beaucoup, super service !",
        "Je ne trouve nulle part le suivi de mon colis",
        "OK",
        "",
        "🙂🙂🙂",
    ],
)
def test_calm(text: str):
    assert assess(text).label == CALM


def test_cues_say_why():
    mood = assess("VOUS ÊTES NULS !!!")
    assert mood.label == UPSET
    assert {"insult", "capitals", "exclamations"} <= set(mood.cues)
    assert mood.as_dict()["label"] == UPSET


def test_capitals_need_enough_letters():
    assert not shouting("OK SVP")
    assert shouting("OÙ EST MA COMMANDE DONC")
    assert not shouting("Commande CM483391 pour Alexandre Moreau")


def test_a_very_long_message_is_read_at_its_head():
    assert assess("bonjour " * 5000).label == CALM
