"""The intent classifier's model: TF-IDF over character n-grams and words, a linear SVM.

Measured on this project's own examples (5-fold cross-validation, `make nlu-cv`: 0.815), it
beats Rasa's LogisticRegressionClassifier (0.789) and trains in under a second on 2 cores,
where DIET took 15–20 s per epoch. Character n-grams carry typos, missing accents and SMS
spelling. Pure scikit-learn, importable from both virtualenvs.
"""
from __future__ import annotations

import unicodedata
from typing import List, Sequence, Tuple

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

from bot.nlu.patterns import EMAIL, ORDER_NUMBER, POSTCODE

MAX_CHARS = 1000  # a 10,000-character message is classified on its head


def normalise(text: str) -> str:
    """Lower-case, fold accents, and replace order numbers, e-mails and postcodes by a token:
    what matters for the intent is that one is there, not which."""
    text = unicodedata.normalize("NFKD", (text or "")[:MAX_CHARS].lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = EMAIL.sub(" adresseemail ", text)
    text = ORDER_NUMBER.sub(" numcommande ", text)
    return POSTCODE.sub(" codepostal ", text)


class IntentModel:
    """Fit on (text, intent) pairs; predict a ranking with softmax-scaled confidences."""

    def __init__(self, c: float = 1.0, temperature: float = 4.0) -> None:
        self.temperature = temperature
        self.pipeline: Pipeline = make_pipeline(
            make_union(
                TfidfVectorizer(preprocessor=normalise, analyzer="char_wb", ngram_range=(2, 5),
                                sublinear_tf=True),
                TfidfVectorizer(preprocessor=normalise, ngram_range=(1, 2), sublinear_tf=True),
            ),
            LinearSVC(C=c),
        )

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
