"""Lexical leg: a linear classifier with one class per entry over every phrasing.

Char 2–5 n-grams (robust to typos and missing accents) plus word uni/bigrams, TF-IDF, LinearSVC:
the strongest single method in the design probes, refitted from the version's JSON entries at
load in well under a second, so there is no model file to pickle. Past `svm_max_entries`, or
with a single entry, it falls back to nearest-phrasing TF-IDF cosine.
"""

from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from bot.core.normalise import normalise

from .types import Entry

log = logging.getLogger(__name__)


if TYPE_CHECKING:
    from sklearn.svm import LinearSVC


def _features() -> Any:
    # Imported here: scikit-learn takes ~2 s to import, which `versions` or `stats` never need.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ]
    )


class LexicalLeg:
    """Scores every entry for a query; higher is better, one column per entry in corpus order."""

    def __init__(
        self, entries: Sequence[Entry], svm_max_entries: int = 5_000, c: float = 1.0
    ) -> None:
        self.n_entries = len(entries)
        texts: list[str] = []
        labels: list[int] = []
        for position, entry in enumerate(entries):
            for phrasing in entry.phrasings():
                texts.append(normalise(phrasing))
                labels.append(position)
        self._labels = np.asarray(labels, dtype=np.int64)
        self._features = _features()
        matrix = self._features.fit_transform(texts) if texts else None
        self.mode = "svm" if 2 <= self.n_entries <= svm_max_entries else "knn"
        self._svm: LinearSVC | None = None
        self._matrix = matrix
        if self.mode == "svm" and matrix is not None:
            from sklearn.svm import LinearSVC

            self._svm = LinearSVC(C=c)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._svm.fit(matrix, self._labels)

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """(n_queries, n_entries) scores: SVM margins, or best phrasing cosine in knn mode."""
        out = np.full((len(queries), self.n_entries), -1.0, dtype=np.float32)
        if self._matrix is None or not queries:
            return out
        q = self._features.transform([normalise(text) for text in queries])
        if self._svm is not None:
            decision = np.asarray(self._svm.decision_function(q), dtype=np.float32)
            classes = self._svm.classes_
            if decision.ndim == 1:  # two entries: sklearn returns one margin for classes_[1]
                out[:, classes[1]] = decision
                out[:, classes[0]] = -decision
            else:
                out[:, classes] = decision
            return out
        sims = np.asarray((q @ self._matrix.T).todense(), dtype=np.float32) / 2.0  # two unit blocks
        np.maximum.at(out.T, self._labels, sims.T)
        return out
