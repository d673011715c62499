"""A message is embedded once per turn: the intent classifier (Rasa server) embeds it with
multilingual-e5-small, and hands the vector to the knowledge base (action server) in the
parsed message, so the knowledge base does not embed the same text again.

Both sides embed the knowledge base's own form of the text (`encoder_text`), and the vector
travels with the model's name and a digest of that text: the knowledge base uses it only when
both match what it would have computed itself. Only the latest message carries it; the
tracker store drops it when it saves the conversation (bot/rasa/tracker_store.py), so stored
conversations and later action calls do not grow by 2 kB a message.

Standard library and numpy only: loaded by both interpreters.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Mapping

import numpy as np

from bot.core.normalise import clean_for_encoder, truncate

KEY = "text_vector"  # in the parse data of a user message
MODEL = "multilingual-e5-small-q4"  # bot.kb.encoders.E5Encoder.name: the same weights
# The head of a long message (e5 reads 512 tokens at most anyway); the knowledge base's own
# cap is bot.kb.config.KBSettings.max_query_chars.
MAX_CHARS = 1_000


def encoder_text(text: str, max_chars: int = MAX_CHARS) -> str:
    """The form of a message the knowledge base embeds (abbreviations expanded)."""
    return clean_for_encoder(truncate(text or "", max_chars))


def _digest(prepared: str) -> str:
    return hashlib.sha256(prepared.encode("utf-8")).hexdigest()[:16]


def pack(text: str, vector: np.ndarray) -> dict[str, str]:
    """What the classifier adds to the parse data: the vector of `encoder_text(text[:MAX_CHARS])`,
    which is what the intent model embedded (a longer message's digest will not match the
    knowledge base's word-boundary cut, and it embeds that one itself)."""
    data = np.ascontiguousarray(vector, dtype="<f4").tobytes()
    return {
        "model": MODEL,
        "digest": _digest(encoder_text((text or "")[:MAX_CHARS])),
        "vector": base64.b64encode(data).decode("ascii"),
    }


def unpack(packed: Any, prepared: str, model: str, dimension: int) -> np.ndarray | None:
    """The vector, if it was made by `model` from exactly `prepared`; otherwise None (then
    the caller embeds the text itself)."""
    if not isinstance(packed, Mapping) or packed.get("model") != model:
        return None
    if packed.get("digest") != _digest(prepared):
        return None
    try:
        raw = base64.b64decode(str(packed.get("vector", "")), validate=True)
    except ValueError:
        return None
    if len(raw) != 4 * dimension:
        return None
    return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(1, dimension)
