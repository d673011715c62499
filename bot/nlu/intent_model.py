"""The intent classifier's model: TF-IDF over character n-grams and words, optionally joined
by a multilingual sentence embedding (bot/nlu/embedding.py), and a linear SVM.

Character n-grams carry typos, missing accents and SMS spelling; the sentence embedding
carries meaning across words our examples never used. Which combination serves is chosen by
measurement (`python -m bot.tools.nlu.compare`, README "How it understands French"). Pure
scikit-learn and numpy, importable from both virtualenvs.
"""

from __future__ import annotations

import unicodedata
from typing import Callable, List, Sequence, Tuple

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

from bot.core import order_numbers
from bot.core.patterns import EMAIL, POSTCODE

MAX_CHARS = 1000  # a 10,000-character message is classified on its head


def normalise(text: str) -> str:
    """Lower-case, fold accents, and replace order numbers, e-mails and postcodes by a token:
    what matters for the intent is that one is there, not which."""
    # Before lower-casing: some shops' numbers are capital letters (PrestaShop references).
    text = EMAIL.sub(" adresseemail ", (text or "")[:MAX_CHARS])
    text = order_numbers.current().in_text.sub(" numcommande ", text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return POSTCODE.sub(" codepostal ", text)


Embed = Callable[[List[str]], np.ndarray]
# How much the sentence embedding weighs against the two TF-IDF blocks: the best of 1, 2, 3 on
# the dev set of realistic messages (`python -m bot.tools.nlu.compare`).
DENSE_WEIGHT = 2.0


class Dense(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Sentence embeddings as features, scaled by `weight` against the TF-IDF blocks."""

    def __init__(self, embed: Embed, weight: float = 1.0) -> None:
        self.embed, self.weight = embed, weight

    def fit(self, texts: Sequence[str], y: object = None) -> Dense:
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(list(texts)) * self.weight


class IntentModel:
    """Fit on (text, intent) pairs; predict a ranking with softmax-scaled confidences.
    `embed` (texts -> L2-normalised rows) adds the sentence embedding to the features."""

    def __init__(
        self,
        c: float = 1.0,
        temperature: float = 4.0,
        embed: Embed | None = None,
        dense_weight: float = DENSE_WEIGHT,
    ) -> None:
        self.temperature = temperature
        blocks = [
            TfidfVectorizer(
                preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
            ),
            TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True),
        ]
        if embed is not None:
            blocks.append(Dense(embed, dense_weight))
        self.pipeline: Pipeline = make_pipeline(make_union(*blocks), LinearSVC(C=c))

    def fit(self, examples: Sequence[Tuple[str, str]]) -> IntentModel:
        texts, intents = zip(*examples, strict=True)
        self.pipeline.fit(list(texts), list(intents))
        return self

    @property
    def intents(self) -> List[str]:
        return [str(label) for label in self.pipeline.classes_]

    def rank(self, text: str) -> List[Tuple[str, float]]:
        """Intents with confidences summing to 1, best first."""
        scores = np.atleast_2d(self.pipeline.decision_function([text]))[0]
        if scores.shape[0] == 1:  # two classes: one score for the second class
            scores = np.array([-scores[0], scores[0]])
        weights = np.exp(self.temperature * (scores - scores.max()))
        confidences = weights / weights.sum()
        order = np.argsort(-confidences)
        return [(self.intents[i], float(confidences[i])) for i in order]
