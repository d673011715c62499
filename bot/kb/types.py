"""Plain data types shared by the knowledge-base modules (no heavy imports here).

Kept apart so that the action server, the back office and the tests can type against them
without loading numpy, FAISS or a model.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypedDict

TOPICS: tuple[str, ...] = (
    "delivery_cost",
    "delivery_options",
    "payment",
    "promo",
    "account",
    "invoice",
    "returns_policy",
    "warranty",
    "product",
    "order_confirmation",
    "checkout",
    "gift",
    "contact",
)
MIN_ALTERNATIVES = 3
ID_PATTERN = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+$")

Outcome = Literal["answer", "choose", "none"]
Leg = Literal["dense", "lexical"]


class KBError(Exception):
    """Base class of every knowledge-base error the caller may want to catch."""


class InvalidEntryError(KBError, ValueError):
    """An entry does not follow the schema (id, topic, question, ≥3 alternatives, answer)."""


class ModelMismatchError(KBError):
    """The index was built with another encoder than the one this process uses."""


class CorruptVersionError(KBError):
    """A published version is partial or its files do not match its manifest."""


class NoIndexError(KBError):
    """Nothing has been published yet in the knowledge-base directory."""


@dataclass(frozen=True)
class Entry:
    """One FAQ entry: a stable id, one topic, one question, its phrasings and an answer."""

    id: str
    topic: str
    question: str
    alternatives: tuple[str, ...]
    answer: str
    tags: tuple[str, ...] = ()

    def phrasings(self) -> list[str]:
        """Every way this entry may be asked: the question first, then the alternatives."""
        return [self.question, *self.alternatives]

    def validate(self) -> Entry:
        problems = []
        if not ID_PATTERN.match(self.id):
            problems.append("id must look like 'topic.short_name' (a-z, 0-9, _)")
        if self.topic not in TOPICS:
            problems.append(f"topic {self.topic!r} is not one of {', '.join(TOPICS)}")
        if not self.question.strip():
            problems.append("question is empty")
        alts = [a for a in self.alternatives if a.strip()]
        if len(alts) < MIN_ALTERNATIVES:
            problems.append(f"needs at least {MIN_ALTERNATIVES} alternatives, has {len(alts)}")
        if not self.answer.strip():
            problems.append("answer is empty")
        if problems:
            raise InvalidEntryError(f"entry {self.id!r}: " + "; ".join(problems))
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        try:
            return cls(
                id=str(data["id"]).strip(),
                topic=str(data["topic"]).strip(),
                question=str(data["question"]).strip(),
                alternatives=tuple(str(a).strip() for a in data.get("alternatives") or ()),
                answer=" ".join(str(data["answer"]).split()),
                tags=tuple(str(t) for t in data.get("tags") or ()),
            ).validate()
        except KeyError as missing:
            raise InvalidEntryError(f"entry {data.get('id')!r}: missing field {missing}") from None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alternatives"] = list(self.alternatives)
        data["tags"] = list(self.tags)
        return data


class HitDict(TypedDict):
    id: str
    topic: str
    question: str
    answer: str
    score: float
    dense_score: float
    lexical_score: float
    legs: list[str]


@dataclass(frozen=True)
class Hit:
    """One ranked entry; `legs` says which retrieval legs had it in their own top k."""

    id: str
    topic: str
    question: str
    answer: str
    score: float
    dense_score: float
    lexical_score: float
    legs: tuple[Leg, ...]

    def to_dict(self) -> HitDict:
        return HitDict(
            id=self.id,
            topic=self.topic,
            question=self.question,
            answer=self.answer,
            score=round(self.score, 4),
            dense_score=round(self.dense_score, 4),
            lexical_score=round(self.lexical_score, 4),
            legs=list(self.legs),
        )


@dataclass(frozen=True)
class SearchResult:
    """What the bot needs: answer the top hit, offer the top 3 as buttons, or hand off."""

    query: str
    outcome: Outcome
    confidence: float
    hits: tuple[Hit, ...] = ()
    version: str | None = None
    reason: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "outcome": self.outcome,
            "confidence": round(self.confidence, 4),
            "version": self.version,
            "reason": self.reason,
            "hits": [h.to_dict() for h in self.hits],
            "timings_ms": {k: round(v, 3) for k, v in self.timings_ms.items()},
        }
