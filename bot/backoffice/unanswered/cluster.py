"""Unanswered messages -> groups by meaning, each with the nearest FAQ entry, minus what the
knowledge base in service now answers.

Embeddings: the back office's own encoder (the KnowledgeBase's, multilingual-e5-small), the
vectors a search would make, so one encoding serves both the grouping and the "answered
now?" check. Grouping: agglomerative clustering on cosine distance cut at a distance
threshold, so the number of groups is not chosen in advance; the linkage and the threshold
were picked on bot/tools/eval/unanswered_fr.yml (`python -m bot.backoffice.unanswered eval`,
README "Unanswered questions").
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

from bot.core.normalise import clean_for_encoder, truncate
from bot.kb import decide, fuse

from .collect import Unanswered
from .misses import has_personal_data

if TYPE_CHECKING:
    from bot.kb import KnowledgeBase

Linkage = Literal["average", "complete", "single"]
# Complete linkage: every two messages of a group are within THRESHOLD of each other (no
# chaining of near neighbours into one vague group). Chosen by the best harmonic mean of
# purity and coverage on the labelled set; the figures are in the README.
LINKAGE: Linkage = "complete"
THRESHOLD = 0.12  # cosine distance
MAX_MESSAGES = 1000  # the newest of a period are grouped (≈ 50 ms each to encode the first time)
MAX_PHRASINGS = 12  # offered to the FAQ form (the form takes at most 40)
MAX_PHRASING = 300  # the form's limit per phrasing (faq.MAX_PHRASING)
EXAMPLES = 5


# Each page view groups the whole period again: the vectors of texts already seen are kept
# (per encoder), so only new messages are encoded. Bounded; oldest first out.
_CACHE_SIZE = 20_000
_cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def embed(kb: KnowledgeBase, texts: Sequence[str]) -> np.ndarray:
    """(n, d) normalised query vectors, exactly as KnowledgeBase.search makes them."""
    encoder = kb.encoder
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    limit = kb.settings.max_query_chars
    prepared = [clean_for_encoder(truncate(t, limit)) for t in texts]
    with _cache_lock:
        known = {p: _cache[(encoder.name, p)] for p in prepared if (encoder.name, p) in _cache}
    missing = list(dict.fromkeys(p for p in prepared if p not in known))
    if missing:
        fresh = np.asarray(encoder.encode(missing, prompt_name="query"), dtype=np.float32)
        with _cache_lock:
            for text, vector in zip(missing, fresh, strict=True):
                known[text] = vector
                _cache[(encoder.name, text)] = vector
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return np.stack([known[p] for p in prepared])


def cluster_labels(
    vectors: np.ndarray, threshold: float = THRESHOLD, method: Linkage = LINKAGE
) -> np.ndarray:
    """A group number per row (0…), the biggest group first; no number of groups given."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    distances = np.clip(pdist(vectors, metric="cosine"), 0.0, 2.0)
    raw = fcluster(linkage(distances, method=method), t=threshold, criterion="distance")
    sizes = Counter(raw.tolist())
    order = {label: rank for rank, (label, _) in enumerate(sizes.most_common())}
    return np.array([order[label] for label in raw.tolist()], dtype=int)


@dataclass(frozen=True)
class Nearest:
    entry_id: str
    question: str
    topic: str
    similarity: float  # mean over the group of the best cosine with the entry's phrasings
    confidence: float  # mean over the group of the bot's fused confidence in this entry


@dataclass(frozen=True)
class Group:
    key: str  # stable while its messages are the same
    messages: tuple[Unanswered, ...]  # newest first
    examples: tuple[str, ...]  # distinct texts, the most typical first
    nearest: Nearest | None

    @property
    def volume(self) -> int:
        return len(self.messages)

    @property
    def kinds(self) -> list[tuple[str, int]]:
        return Counter(m.kind for m in self.messages).most_common()

    @property
    def conversations(self) -> int:
        return len({m.conversation for m in self.messages})

    @property
    def phrasings(self) -> list[str]:
        """What may become FAQ phrasings: distinct, one line, short enough, without an
        e-mail, a phone or an order number (those belong to one shopper, not to the FAQ)."""
        kept: dict[str, str] = {}
        for text in self.examples:
            line = " ".join(text.split())
            if 0 < len(line) <= MAX_PHRASING and not has_personal_data(line):
                kept.setdefault(line.casefold(), line)
        return list(kept.values())[:MAX_PHRASINGS]


@dataclass(frozen=True)
class Review:
    groups: list[Group]
    total: int  # unanswered messages in the period
    answered_now: int  # of which the index in service now answers
    truncated: bool


def _answered_now(
    messages: Sequence[Unanswered],
    probs: np.ndarray,
    kb: KnowledgeBase,
    entry_ids: Sequence[str],
    changed: Mapping[str, datetime],
) -> list[bool]:
    """As actions/knowledge.py decides: an "answer" outcome of the fused confidence. A 👎
    message counts as answered only by another entry, or once its entry was edited after the
    rating."""
    verdicts = []
    for row, message in zip(probs, messages, strict=True):
        top = int(np.argmax(row))
        sure = decide(float(row[top]), kb.params) == "answer"
        if sure and message.kind == "unhelpful" and message.entry == entry_ids[top]:
            edited = changed.get(message.entry)
            sure = edited is not None and edited > message.at
        verdicts.append(sure)
    return verdicts


def _key(messages: Sequence[Unanswered]) -> str:
    ids = sorted(f"{m.conversation}|{m.at.timestamp()}" for m in messages)
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]


def review(
    kb: KnowledgeBase,
    messages: Sequence[Unanswered],
    changed: Mapping[str, datetime] | None = None,
    threshold: float = THRESHOLD,
) -> Review:
    """The groups of what the bot still cannot answer, by volume. `changed`: the last edit
    time of each entry (faq_changes), for 👎 messages."""
    truncated = len(messages) > MAX_MESSAGES
    newest = sorted(messages, key=lambda m: m.at, reverse=True)[:MAX_MESSAGES]
    vectors = embed(kb, [m.text for m in newest])
    state = kb.state()
    entries = list(state.entries) if state is not None else []
    dense = probs = np.zeros((len(newest), len(entries)), dtype=np.float32)
    open_rows = list(range(len(newest)))
    if entries and newest:
        assert state is not None
        dense, lexical = kb.score(state, [m.text for m in newest], vectors)
        probs = fuse(dense, lexical, kb.params, kb.method)
        ids = [e.id for e in entries]
        answered = _answered_now(newest, probs, kb, ids, changed or {})
        open_rows = [i for i, done in enumerate(answered) if not done]
    still = [newest[i] for i in open_rows]
    labels = cluster_labels(vectors[open_rows], threshold)
    groups = []
    for label in range(int(labels.max()) + 1 if len(labels) else 0):
        members = [open_rows[i] for i in np.flatnonzero(labels == label)]
        centre = vectors[members].mean(axis=0)
        typical = sorted(members, key=lambda i: -float(vectors[i] @ centre))
        examples = tuple(dict.fromkeys(newest[i].text for i in typical))
        nearest = None
        if entries:  # as the bot ranks entries: by fused confidence (cosines of e5 are all high)
            mean = probs[members].mean(axis=0)
            best = int(np.argmax(mean))
            entry = entries[best]
            similarity = float(dense[members, best].mean())
            nearest = Nearest(entry.id, entry.question, entry.topic, similarity, float(mean[best]))
        group_messages = tuple(newest[i] for i in members)
        groups.append(Group(_key(group_messages), group_messages, examples, nearest))
    groups.sort(key=lambda g: (-g.volume, -max(m.at.timestamp() for m in g.messages)))
    return Review(groups, len(messages), len(newest) - len(still), truncated)
