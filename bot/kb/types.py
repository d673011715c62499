"""Plain data types shared by the knowledge-base modules (no heavy imports here).

Kept apart so that the action server, the back office and the tests can type against them
without loading numpy, FAISS or a model.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Iterable, Literal, Mapping, Sequence, TypedDict

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


@dataclass(frozen=True)
class Problem:
    """One rule an entry breaks: the field it concerns and a French message for an editor (the
    back office shows it under the form, the CLI prints it)."""

    field: str  # "id", "topic", "question", "alternatives" or "answer"
    message: str


class InvalidEntryError(KBError, ValueError):
    """An entry does not follow the schema (id, topic, question, ≥3 alternatives, answer);
    `problems` says which rules, in French, when the entry itself was checked."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[Problem, ...] = tuple(problems)


class ModelMismatchError(KBError):
    """The index was built with another encoder than the one this process uses."""


class CorruptVersionError(KBError):
    """A published version is partial or its files do not match its manifest."""


class NoIndexError(KBError):
    """Nothing has been published yet in the knowledge-base directory."""


class StaleEntryError(KBError):
    """A publish expected an entry to be as the editor saw it, and the version in service has
    another one (or none): nothing was published. `current` is the entry now in service."""

    def __init__(self, entry_id: str, expected: Entry | None, current: Entry | None) -> None:
        state = "absent" if current is None else "different"
        wanted = "absent" if expected is None else "as read"
        super().__init__(
            f"entry {entry_id!r} is {state} in the version in service (expected {wanted}): "
            "nothing published; read it again and retry"
        )
        self.entry_id = entry_id
        self.expected = expected
        self.current = current


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

    def problems(self) -> list[Problem]:
        """The schema rules this entry breaks, in French (empty: it may be published). The one
        validation of an entry: `validate`, the CLI and the back-office form all use it."""
        found = []
        if not ID_PATTERN.match(self.id):
            found.append(
                Problem("id", "L'identifiant doit ressembler à « sujet.nom_court » (a-z, 0-9, _).")
            )
        if self.topic not in TOPICS:
            found.append(Problem("topic", f"Le sujet doit être l'un de : {', '.join(TOPICS)}."))
        if not self.question.strip():
            found.append(Problem("question", "La question est vide."))
        distinct = len({a.strip() for a in self.alternatives if a.strip()})
        if distinct < MIN_ALTERNATIVES:
            found.append(
                Problem(
                    "alternatives",
                    f"Il faut au moins {MIN_ALTERNATIVES} autres formulations de la question, "
                    f"toutes différentes ; il y en a {distinct}.",
                )
            )
        if not self.answer.strip():
            found.append(Problem("answer", "La réponse est vide."))
        return found

    def validate(self) -> Entry:
        """This entry, or InvalidEntryError listing every problem (see `problems`)."""
        found = self.problems()
        if found:
            raise InvalidEntryError(
                f"entrée « {self.id} » : " + " ".join(p.message for p in found), found
            )
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entry:
        missing = [name for name in ("id", "topic", "question", "answer") if name not in data]
        if missing:
            found = [Problem(name, f"Le champ « {name} » manque.") for name in missing]
            raise InvalidEntryError(
                f"entrée « {data.get('id')} » : " + " ".join(p.message for p in found), found
            )
        return cls(
            id=str(data["id"]).strip(),
            topic=str(data["topic"]).strip(),
            question=str(data["question"]).strip(),
            alternatives=tuple(str(a).strip() for a in data.get("alternatives") or ()),
            answer=" ".join(str(data["answer"]).split()),
            tags=tuple(str(t) for t in data.get("tags") or ()),
        ).validate()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["alternatives"] = list(self.alternatives)
        data["tags"] = list(self.tags)
        return data


class Changes:
    """Everything one publish changes in the published corpus, given at once (a publish holds
    no pending state: what is not in `Changes` is not published).

    upserts  entries added, or replaced by id;
    deletes  ids removed (an id neither upserted nor deleted keeps its entry);
    expect   id -> the entry as the caller read it (None: absent). Checked under the publish
             lock against the version in service: if any differs, StaleEntryError and nothing
             is written, so an editor never overwrites a change they have not seen.
    """

    __slots__ = ("upserts", "deletes", "expect")

    def __init__(
        self,
        upserts: Iterable[Entry] = (),
        deletes: Iterable[str] = (),
        expect: Mapping[str, Entry | None] | None = None,
    ) -> None:
        self.upserts: tuple[Entry, ...] = tuple(e.validate() for e in upserts)
        self.deletes: tuple[str, ...] = tuple(dict.fromkeys(str(i) for i in deletes))
        self.expect: Mapping[str, Entry | None] = MappingProxyType(dict(expect or {}))
        ids = [e.id for e in self.upserts]
        twice = sorted({i for i in ids if ids.count(i) > 1} | (set(ids) & set(self.deletes)))
        if twice:
            raise InvalidEntryError(f"changed more than once in one publish: {', '.join(twice)}")

    def __bool__(self) -> bool:
        return bool(self.upserts or self.deletes)

    def __repr__(self) -> str:
        return (
            f"Changes(upserts={[e.id for e in self.upserts]}, deletes={list(self.deletes)}, "
            f"expect={sorted(self.expect)})"
        )


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
