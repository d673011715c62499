"""FAQ editing on top of bot.kb: form validation, near-duplicate check, publish + history."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.kb import TOPICS, Entry, NoIndexError
from bot.kb.publisher import current_entries
from bot.kb.service import KnowledgeBase
from bot.kb.types import ID_PATTERN, MIN_ALTERNATIVES

from .db import FaqChange, User

MAX_PHRASING = 300
MAX_ALTERNATIVES = 40
MAX_ANSWER = 3000
_publish_lock = threading.Lock()  # one KnowledgeBase object: its pending changes are shared


def entries(kb: KnowledgeBase) -> list[Entry]:
    """Entries of the version in service (no model loaded); [] before the first publish."""
    try:
        return current_entries(kb.root)
    except NoIndexError:
        return []


def find(kb: KnowledgeBase, entry_id: str) -> Entry | None:
    return next((e for e in entries(kb) if e.id == entry_id), None)


def filter_entries(items: list[Entry], query: str, topic: str) -> list[Entry]:
    words = query.lower().split()
    out = []
    for entry in items:
        if topic and entry.topic != topic:
            continue
        haystack = " ".join([entry.id, entry.question, *entry.alternatives, entry.answer]).lower()
        if all(w in haystack for w in words):
            out.append(entry)
    return sorted(out, key=lambda e: (e.topic, e.id))


def parse_form(entry_id: str, topic: str, question: str, alternatives: str, answer: str
               ) -> tuple[Entry | None, list[str]]:
    """An Entry from the editor's form, or the problems to show (in French)."""
    problems = []
    entry_id, question, answer = entry_id.strip(), question.strip(), answer.strip()
    alts = [line.strip() for line in alternatives.splitlines() if line.strip()]
    if not ID_PATTERN.match(entry_id):
        problems.append("L'identifiant doit ressembler à « sujet.nom_court » (a-z, 0-9, _).")
    if topic not in TOPICS:
        problems.append("Choisissez un sujet dans la liste.")
    if not question:
        problems.append("La question est vide.")
    if len(alts) < MIN_ALTERNATIVES:
        problems.append(f"Il faut au moins {MIN_ALTERNATIVES} autres formulations "
                        f"(une par ligne) ; il y en a {len(alts)}.")
    if len(alts) > MAX_ALTERNATIVES:
        problems.append(f"Au plus {MAX_ALTERNATIVES} formulations.")
    if any(len(p) > MAX_PHRASING for p in [question, *alts]):
        problems.append(f"Une formulation dépasse {MAX_PHRASING} caractères.")
    if not answer:
        problems.append("La réponse est vide.")
    if len(answer) > MAX_ANSWER:
        problems.append(f"La réponse dépasse {MAX_ANSWER} caractères.")
    if problems:
        return None, problems
    entry = Entry(entry_id, topic, question, tuple(dict.fromkeys(alts)), " ".join(answer.split()))
    return entry, []


@dataclass(frozen=True)
class Duplicate:
    phrasing: str
    entry_id: str
    question: str
    score: float


def near_duplicates(kb: KnowledgeBase, entry: Entry) -> list[Duplicate]:
    """Other entries the bot would answer, today, for one of this entry's phrasings.

    Threshold: the knowledge base's own answer threshold (tuning.json, the lowest fused
    confidence at which answers are ≥ 90 % precise on the dev set). Above it the bot already
    answers that phrasing confidently with another entry, so publishing both would make them
    compete for the same questions; below it the phrasing is not owned by any entry.
    """
    threshold = kb.params.answer_threshold
    found: dict[str, Duplicate] = {}
    for phrasing in entry.phrasings():
        result = kb.search(phrasing, 3)
        for hit in result.hits:
            if hit.id != entry.id and hit.score >= threshold:
                best = found.get(hit.id)
                if best is None or hit.score > best.score:
                    found[hit.id] = Duplicate(phrasing, hit.id, hit.question, hit.score)
    return sorted(found.values(), key=lambda d: -d.score)


def publish(
    kb: KnowledgeBase, db: Session, user: User, action: str, entry_id: str,
    before: Entry | None, after: Entry | None, now: datetime,
) -> str | None:
    """Publish the change live (bot.kb, no retraining) and record it in faq_changes."""
    with _publish_lock:
        version = kb.delete([entry_id]) if after is None else kb.upsert([after])
    change = FaqChange(
        user_id=user.id, at=now, action=action, entry_id=entry_id,
        before=_dump(before), after=_dump(after), version=version,
    )
    db.add(change)
    db.commit()
    return version


def _dump(entry: Entry | None) -> dict[str, Any] | None:
    return entry.to_dict() if entry else None
