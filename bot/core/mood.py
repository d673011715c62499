"""Is the shopper upset? A French sentiment lexicon (vaderSentiment-fr) plus the cues that
people use in writing when they are angry: capitals, "!!!", insults, legal threats.

Pure functions, imported by the Rasa component (bot/rasa/nlu/mood_annotator.py) and by the
evaluation. The cue lists and thresholds were written from general knowledge of French
complaints, before measuring on ../shared/eval (never tuned on it).
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping

UPSET = "upset"
# Where the mood annotator (bot/rasa/nlu/mood_annotator.py) puts its verdict in the parse data.
PARSE_KEY = "mood"
CALM = "calm"

# The lexicon's compound score is in [-1, 1]; "très déçu" alone is ≈ -0.25, which is a claim
# for the claims flow, not a reason to call a person. Only strong negativity counts alone.
STRONG_NEGATIVE = -0.6
# Shouting or "!!!" turns a moderately negative message into an angry one.
NEGATIVE_WITH_SHOUTING = -0.3

_INSULTS = (
    r"arnaque\w*|escro\w*|voleu?r\w*|incompetent\w*|nul(?:le)?s?\b(?!\s+part)|honte\w*|honteu\w*|"
    r"inadmissible|inacceptable|scandal\w*|lamentable|minable|pitoyable|foutage|fout(?:ez|re)\b|"
    r"merd\w*|putain|bordel|con(?:s|nard\w*|nerie\w*)?\b|debile\w*|idiot\w*|ras le bol|"
    r"marre|degoute\w*|furieu\w*|en colere|enerve\w*|exaspere\w*|jamais plus|plus jamais"
)
_LEGAL = (
    r"avocat\w*|plainte|porter plainte|tribunal|tribunaux|justice|juridique\w*|proces\b|"
    r"mise en demeure|mettre en demeure|dgccrf|ufc|que choisir|60 millions|signal ?conso|"
    r"mediateur|litige|huissier|police|gendarmerie|reclamation officielle"
)
INSULT = re.compile(rf"\b(?:{_INSULTS})", re.IGNORECASE)
LEGAL = re.compile(rf"\b(?:{_LEGAL})", re.IGNORECASE)
EXCLAMATIONS = re.compile(r"[!?]{3,}|(?:! ?){3,}")
MIN_LETTERS_FOR_CAPITALS = 12
CAPITALS_SHARE = 0.6


@dataclass(frozen=True)
class Mood:
    label: str  # UPSET or CALM
    compound: float  # the lexicon's score, -1 (very negative) .. 1
    cues: list[str] = field(default_factory=list)  # why: "legal", "insult", "capitals"…

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "compound": round(self.compound, 3), "cues": self.cues}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@lru_cache(maxsize=1)
def _analyser() -> Any:
    with warnings.catch_warnings():  # fuzzywuzzy warns that python-Levenshtein is absent
        warnings.simplefilter("ignore")
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()


def shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < MIN_LETTERS_FOR_CAPITALS:
        return False
    return sum(c.isupper() for c in letters) / len(letters) >= CAPITALS_SHARE


def assess(text: str) -> Mood:
    """Upset when the shopper threatens legal action or insults, or when the message is
    strongly negative, or negative and shouted."""
    text = text[:2000]
    folded = _fold(text)
    cues = []
    if LEGAL.search(folded):
        cues.append("legal")
    if INSULT.search(folded):
        cues.append("insult")
    if shouting(text):
        cues.append("capitals")
    if EXCLAMATIONS.search(text):
        cues.append("exclamations")
    compound = float(_analyser().polarity_scores(text)["compound"]) if text.strip() else 0.0
    loud = "capitals" in cues or "exclamations" in cues
    upset = (
        "legal" in cues
        or "insult" in cues
        or compound <= STRONG_NEGATIVE
        or (loud and compound <= NEGATIVE_WITH_SHOUTING)
    )
    return Mood(UPSET if upset else CALM, compound, cues)


def is_upset(parse_data: Mapping[str, Any]) -> bool:
    """The mood annotator's verdict on a parsed message (a message without one is calm)."""
    return (parse_data.get(PARSE_KEY) or {}).get("label") == UPSET
