"""A message is embedded once: the vector the intent classifier made (bot/nlu/embedding.py)
is the one the knowledge base would have made, and the knowledge base uses it only when it
was made by its own model from the very text it searches."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core import query_vector
from bot.kb.config import KBSettings
from bot.kb.encoders import E5Encoder
from bot.kb.service import KnowledgeBase
from bot.nlu.embedding import SentenceEmbedder

from .conftest import CountingEncoder

QUESTION = "bjr c combien la livraison pr la belgique svp"


def test_the_two_sides_agree_on_model_and_text_cap() -> None:
    assert query_vector.MODEL == E5Encoder.name
    assert query_vector.MAX_CHARS == KBSettings().max_query_chars


@pytest.fixture(scope="module")
def packed() -> dict[str, str]:
    embed = SentenceEmbedder(remember=False)  # as the Rasa server serves it
    return query_vector.pack(QUESTION, embed([QUESTION])[0])


def _search(full_kb: KnowledgeBase, encoder, text_vector: object) -> tuple[object, list[str]]:
    counting = CountingEncoder(encoder)
    kb = KnowledgeBase(settings=full_kb.settings, encoder=counting)
    kb.warm_up()
    counting.requested.clear()
    return kb.search(QUESTION, 3, text_vector), counting.requested


def test_the_classifiers_vector_is_used_and_gives_the_same_answer(
    full_kb: KnowledgeBase, encoder, packed: dict[str, str]
) -> None:
    reused, requested = _search(full_kb, encoder, packed)
    assert requested == []  # nothing embedded again
    own, requested = _search(full_kb, encoder, None)
    assert requested  # the knowledge base embedded it itself
    assert [h.id for h in reused.hits] == [h.id for h in own.hits]  # type: ignore[attr-defined]
    assert reused.confidence == pytest.approx(own.confidence, abs=1e-4)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "change",
    [
        {"model": "another-model"},
        {"digest": "0" * 16},  # made from another text
        {"vector": "pas du base64 !"},
        {"vector": ""},
    ],
)
def test_a_vector_that_does_not_match_is_ignored(
    full_kb: KnowledgeBase, encoder, packed: dict[str, str], change: dict[str, str]
) -> None:
    result, requested = _search(full_kb, encoder, {**packed, **change})
    assert requested and result.hits  # type: ignore[attr-defined]


def test_unpack_round_trip_and_refusals() -> None:
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    packed = query_vector.pack("bonjour", vector)
    prepared = query_vector.encoder_text("bonjour")
    back = query_vector.unpack(packed, prepared, query_vector.MODEL, 384)
    assert back is not None and np.array_equal(back[0], vector)
    assert query_vector.unpack(packed, prepared, query_vector.MODEL, 768) is None
    assert query_vector.unpack("texte", prepared, query_vector.MODEL, 384) is None
    assert query_vector.unpack(packed, "autre", query_vector.MODEL, 384) is None
