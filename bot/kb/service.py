"""The knowledge base as the action server and the back office use it.

`KnowledgeBase.search` reads the CURRENT pointer on every call (one tiny file read) and swaps
in a newly published version without a restart; a version that fails to load is logged and
skipped while the previous one stays in service. Nothing heavy happens before the first search:
the encoder loads lazily, so importing this module from `actions/` costs nothing.

Publishing takes the whole change in one call, `publish(Changes(...))`, and keeps nothing
pending on the object: the instance a process shares between its readers and its editors holds
only the version in service.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from bot.core import query_vector
from bot.core.normalise import clean_for_encoder, has_content, truncate

from . import index as faiss_index
from . import publisher, store
from .config import KBSettings, get_kb_settings
from .corpus import apply_changes, corpus_hash, entries_from_json, load_faq_dir
from .encoders import Encoder, get_encoder
from .fusion import FusionParams, Method, decide, dense_entry_scores, fuse
from .lexical import LexicalLeg
from .types import (
    Changes,
    CorruptVersionError,
    Entry,
    Hit,
    Leg,
    ModelMismatchError,
    SearchResult,
)

log = logging.getLogger(__name__)


@dataclass
class LoadedVersion:
    """One published version, fully in memory: safe to keep serving while files change."""

    version: str
    manifest: dict[str, Any]
    entries: list[Entry]
    index: Any
    vector_entry: np.ndarray
    lexical: LexicalLeg
    loaded_at: float = field(default_factory=time.time)


def check_model(manifest: Mapping[str, Any], encoder: Encoder, version: str) -> None:
    model = manifest.get("model") or {}
    if model.get("name") != encoder.name or model.get("checksum") != encoder.checksum:
        raise ModelMismatchError(
            f"knowledge-base version {version} was built with model {model.get('name')!r} "
            f"(checksum {str(model.get('checksum'))[:12]}…) but this process uses {encoder.name!r} "
            f"(checksum {encoder.checksum[:12]}…): rebuild it with `python -m bot.kb build` "
            f"or set COMPTOIR_KB_ENCODER={model.get('name')}"
        )


def load_version(root: Path, version: str, encoder: Encoder, settings: KBSettings) -> LoadedVersion:
    """Load and verify one version; CorruptVersionError or ModelMismatchError when unusable."""
    folder = root / version
    manifest = store.read_manifest(folder)
    check_model(manifest, encoder, version)
    try:
        entries = entries_from_json((folder / store.ENTRIES).read_text(encoding="utf-8"))
    except (ValueError, KeyError) as error:
        raise CorruptVersionError(f"{version}: bad {store.ENTRIES}: {error}") from None
    if len(entries) != manifest.get("entry_count") or corpus_hash(entries) != manifest.get(
        "corpus_sha256"
    ):
        raise CorruptVersionError(f"{version}: entries do not match the manifest")
    try:
        index = faiss_index.load_index(folder / store.INDEX, settings.hnsw_ef_search)
    except RuntimeError as error:
        raise CorruptVersionError(f"{version}: unreadable FAISS index: {error}") from None
    vectors = manifest.get("vectors") or []
    if index.ntotal != len(vectors) or index.d != encoder.dimension:
        raise CorruptVersionError(
            f"{version}: index holds {index.ntotal}×{index.d}, "
            f"manifest says {len(vectors)}×{encoder.dimension}"
        )
    position = {entry.id: i for i, entry in enumerate(entries)}
    vector_entry = np.full(len(vectors), -1, dtype=np.int64)
    try:
        for item in vectors:
            vector_entry[int(item["id"])] = position[item["entry"]]
    except (KeyError, IndexError, ValueError) as error:
        raise CorruptVersionError(
            f"{version}: manifest vector list is inconsistent: {error}"
        ) from None
    return LoadedVersion(
        version,
        manifest,
        entries,
        index,
        vector_entry,
        LexicalLeg(entries, settings.svm_max_entries),
    )


class KnowledgeBase:
    """Search, publish and version management over one kb_index directory. Safe to share
    between threads: it holds the version in service, and nothing an editor is writing."""

    def __init__(
        self,
        kb_dir: str | os.PathLike[str] | None = None,
        *,
        settings: KBSettings | None = None,
        encoder: Encoder | None = None,
        params: FusionParams | None = None,
        method: Method = "hybrid",
    ) -> None:
        base = settings or get_kb_settings()
        self.settings = base.model_copy(update={"dir": Path(kb_dir)}) if kb_dir else base
        self._encoder = encoder
        s = self.settings
        faiss_index.use_threads(s.faiss_threads, s.faiss_build_threads)
        self.params = params or FusionParams(
            s.w_dense,
            s.t_dense,
            s.t_lexical,
            s.answer_threshold,
            s.choose_threshold,
            s.b_dense,
            s.b_lexical,
        )
        self.method: Method = method
        self._loaded: LoadedVersion | None = None
        self._bad: dict[str, int] = {}
        self._reload_lock = threading.Lock()

    @property
    def root(self) -> Path:
        return Path(self.settings.dir)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = get_encoder(self.settings.encoder)
        return self._encoder

    # ----- reading -------------------------------------------------------------------------
    def _mtime(self, version: str) -> int:
        try:
            return (self.root / version).stat().st_mtime_ns
        except FileNotFoundError:
            return -1

    def _try_load(self, version: str) -> LoadedVersion | None:
        try:
            return load_version(self.root, version, self.encoder, self.settings)
        except CorruptVersionError as error:
            log.error("ignoring knowledge-base version %s: %s", version, error)
        except FileNotFoundError as error:
            log.error("knowledge-base version %s vanished while loading: %s", version, error)
            return None
        self._bad[version] = self._mtime(version)
        return None

    def _fallback(self, broken: str) -> LoadedVersion | None:
        """First load and CURRENT is broken: serve the newest older version that loads."""
        older = [
            v
            for v in store.list_versions(self.root)
            if store.version_number(v) < store.version_number(broken)
        ]
        for version in reversed(older):
            state = self._try_load(version)
            if state is not None:
                log.error(
                    "serving older knowledge-base version %s instead of broken %s", version, broken
                )
                return state
        return None

    def state(self) -> LoadedVersion | None:
        """The version in service, reloading when CURRENT moved; None when nothing is published."""
        pointer = store.read_current(self.root)
        loaded = self._loaded
        if pointer is None or (loaded is not None and loaded.version == pointer):
            return loaded
        if pointer in self._bad and self._bad[pointer] == self._mtime(pointer):
            return loaded
        with self._reload_lock:
            loaded = self._loaded
            if loaded is not None and loaded.version == pointer:
                return loaded
            try:
                fresh = self._try_load(pointer)
            except ModelMismatchError as error:
                if loaded is None:
                    raise
                log.error("not swapping in %s: %s", pointer, error)
                self._bad[pointer] = self._mtime(pointer)
                return loaded
            if fresh is None and loaded is None:
                fresh = self._fallback(pointer)
            if fresh is not None:
                if loaded is not None:
                    log.info("knowledge base swapped %s -> %s", loaded.version, fresh.version)
                self._loaded = fresh
            return self._loaded

    def warm_up(self) -> str | None:
        """Load the version in service and the encoder now (≈ 2–3 s), not at the first shopper."""
        state = self.state()
        if state is not None:
            self.search(state.entries[0].question if state.entries else "bonjour")
        return state.version if state else None

    def current_version(self) -> str | None:
        """The version this object serves (after checking CURRENT)."""
        state = self.state()
        return state.version if state else None

    def score(
        self, state: LoadedVersion, queries: Sequence[str], vectors: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-entry (dense, lexical) score matrices for raw queries; used by search and eval.
        `vectors`: the queries' embeddings when the caller already has them."""
        n = len(state.entries)
        texts = [truncate(q, self.settings.max_query_chars) for q in queries]
        if self.method == "lexical":
            dense = np.zeros((len(texts), n), dtype=np.float32)
        else:
            if vectors is None:
                vectors = self.encoder.encode(
                    [clean_for_encoder(t) for t in texts], prompt_name="query"
                )
            scores, ids = faiss_index.search(state.index, vectors, self.settings.dense_candidates)
            dense = dense_entry_scores(scores, ids, state.vector_entry, n)
        lexical = state.lexical.scores(texts)
        return dense, lexical

    def search(self, query: str, k: int = 3, text_vector: Any = None) -> SearchResult:
        """Top-k entries with an outcome: answer / choose (offer top 3) / none (offer a human).
        `text_vector`: the query's embedding as the intent classifier made it (query_vector),
        used when it is this encoder's vector of this very text."""
        started = time.perf_counter()
        text = query if isinstance(query, str) else ""
        short = text[:200]
        if not has_content(text):
            return SearchResult(short, "none", 0.0, reason="empty or no words")
        state = self.state()
        if state is None or not state.entries:
            log.warning("knowledge base search with nothing published in %s", self.root)
            return SearchResult(short, "none", 0.0, reason="no published knowledge base")
        loaded = time.perf_counter()
        reused = None
        if text_vector is not None and self.method != "lexical":
            prepared = query_vector.encoder_text(text, self.settings.max_query_chars)
            reused = query_vector.unpack(
                text_vector, prepared, self.encoder.name, self.encoder.dimension
            )
        dense, lexical = self.score(state, [text], reused)
        scored = time.perf_counter()
        probs = fuse(dense, lexical, self.params, self.method)[0]
        k = max(1, k)
        order = np.argsort(-probs, kind="stable")[:k]
        dense_top = (
            set(np.argsort(-dense[0], kind="stable")[:k].tolist())
            if self.method != "lexical"
            else set()
        )
        lexical_top = (
            set(np.argsort(-lexical[0], kind="stable")[:k].tolist())
            if self.method != "dense"
            else set()
        )
        hits = []
        for pos in order.tolist():
            entry = state.entries[pos]
            legs: list[Leg] = []
            if pos in dense_top:
                legs.append("dense")
            if pos in lexical_top:
                legs.append("lexical")
            hits.append(
                Hit(
                    entry.id,
                    entry.topic,
                    entry.question,
                    entry.answer,
                    float(probs[pos]),
                    float(dense[0, pos]),
                    float(lexical[0, pos]),
                    tuple(legs),
                )
            )
        confidence = float(probs[order[0]])
        outcome = decide(confidence, self.params)
        done = time.perf_counter()
        timings = {
            "load": (loaded - started) * 1e3,
            "score": (scored - loaded) * 1e3,
            "total": (done - started) * 1e3,
        }
        return SearchResult(short, outcome, confidence, tuple(hits), state.version, "", timings)

    # ----- writing -------------------------------------------------------------------------
    # Publishing is one call that carries the whole change (`Changes`) and holds no state on
    # this object, which the action server and the back office share between requests: two
    # editors never publish each other's half-finished work, and a refused publish leaves
    # nothing behind. Concurrent publishers (threads or processes) queue on the publish lock;
    # each applies its change to the version in service at that moment, so none is lost.
    def entries(self) -> list[Entry]:
        """Entries of the version in service, read from disk (no model loaded); NoIndexError
        before the first publish."""
        return publisher.current_entries(self.root)

    def publish(
        self, changes: Changes, *, before_switch: Callable[[str], None] | None = None
    ) -> str:
        """Apply `changes` to the version in service and publish the result as a new version;
        returns its id. Under the publish lock: `changes.expect` is checked (StaleEntryError,
        nothing written), then `before_switch(version)` runs once the version is written and
        before it goes into service (raise there to publish nothing)."""
        report = publisher.publish(
            self.settings,
            self.encoder,
            lambda base: apply_changes(base, changes),
            before_switch=before_switch,
        )
        return report.version

    def upsert(self, entries: Iterable[Entry | Mapping[str, Any]]) -> str:
        """Add or replace entries by id and publish at once; returns the new version id."""
        items = [e if isinstance(e, Entry) else Entry.from_dict(dict(e)) for e in entries]
        return self.publish(Changes(upserts=items))

    def delete(self, ids: Iterable[str]) -> str:
        """Remove entries by id and publish at once; returns the new version id."""
        return self.publish(Changes(deletes=ids))

    def build(self, faq_dir: Path | None = None, progress: bool = False) -> publisher.PublishReport:
        """Publish the YAML folder as the whole corpus (vectors of unchanged phrasings reused)."""
        entries = load_faq_dir(Path(faq_dir or self.settings.faq_dir))
        return publisher.publish(
            self.settings, self.encoder, lambda _: entries, from_scratch=True, progress=progress
        )

    def list_versions(self) -> list[dict[str, Any]]:
        """Every version on disk, oldest first, with its manifest summary or its error."""
        current = store.read_current(self.root)
        out = []
        for version in store.list_versions(self.root):
            row: dict[str, Any] = {"version": version, "current": version == current}
            try:
                store.read_manifest(self.root / version)
                summary = publisher.manifest_summary(self.root, version)
                row.update(
                    {
                        k: summary.get(k)
                        for k in (
                            "created_at",
                            "entry_count",
                            "vector_count",
                            "encoded_vectors",
                            "reused_vectors",
                        )
                    }
                )
                model = summary.get("model")
                row["model"] = model.get("name") if isinstance(model, dict) else None
                row["valid"] = True
            except CorruptVersionError as error:
                row.update({"valid": False, "error": str(error)})
            out.append(row)
        return out

    def stats(self) -> dict[str, Any]:
        state = self.state()
        if state is None:
            return {"dir": str(self.root), "current": None}
        topics: dict[str, int] = {}
        for entry in state.entries:
            topics[entry.topic] = topics.get(entry.topic, 0) + 1
        m = state.manifest
        return {
            "dir": str(self.root),
            "current": state.version,
            "created_at": m.get("created_at"),
            "model": m.get("model"),
            "index": m.get("index"),
            "entries": len(state.entries),
            "vectors": int(state.index.ntotal),
            "lexical_mode": state.lexical.mode,
            "topics": dict(sorted(topics.items())),
            "corpus_sha256": m.get("corpus_sha256"),
            "fusion": {"method": self.method, **self.params.__dict__},
        }
