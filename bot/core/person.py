"""Did the shopper ask for a person? A hand-off is imposed only when they did, or when they
are upset (bot/core/mood.py); a message the intent model merely *thinks* is a hand-off request,
with none of the words people use to ask for one, goes to its next most likely meaning.

Pure functions, loaded by both interpreters (the Rasa component bot/rasa/nlu/handoff_gate.py and the
evaluation). The words come from general knowledge of how French speakers ask for someone,
not from ../shared/eval.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from bot.core.mood import UPSET

HANDOFF_INTENT = "human_handoff"

# Someone: a person, an advisor, the customer service, a phone call, "not a robot".
_SOMEONE = (
    r"conseill\w*|humain\w*|quelqu.?un|qqn|qq1|personne|telephon\w*|tel\b|"
    r"appel\w*|rappel\w*|joindre|joignable|service (?:client|apres.?vente|consommateur)\w*|"
    r"sav\b|agent\w*|responsable\w*|operat\w*|interlocut\w*|parler|discuter|contact\w*|"
    r"robot\w*|bot\b|chatbot|machine|automat\w*|standard|hotline|manager|directeur|direction|"
    r"chef|superieur\w*|gerant\w*|patron|vendeu\w*|equipe|employe\w*"
)
# Pressure that calls for a person even when calm: a complaint escalated outside the shop,
# a demand to be answered.
_ESCALATION = (
    r"repression des fraudes|opposition|avis negatif\w*|mauvais\w* (?:pub|avis|note)\w*|"
    r"reseaux sociaux|trustpilot|repond\w* (?:moi|nous)|reclamation"
)
SOMEONE = re.compile(rf"\b(?:{_SOMEONE})", re.IGNORECASE)
ESCALATION = re.compile(rf"\b(?:{_ESCALATION})", re.IGNORECASE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def asks_for_person(text: str) -> bool:
    """The message names someone to talk to, or escalates the complaint."""
    folded = _fold(text[:2000])
    return bool(SOMEONE.search(folded) or ESCALATION.search(folded))


def gated(
    intent: dict[str, Any], ranking: list[dict[str, Any]], text: str, mood: dict[str, Any] | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The intent and ranking to keep: unchanged, unless a hand-off nobody asked for, which
    gives way to the next intent of the ranking with its own confidence."""
    if intent.get("name") != HANDOFF_INTENT or (mood or {}).get("label") == UPSET:
        return intent, ranking
    if asks_for_person(text):
        return intent, ranking
    rest = [entry for entry in ranking if entry.get("name") != HANDOFF_INTENT]
    if not rest:
        return {"name": None, "confidence": 0.0}, []
    return dict(rest[0]), rest
