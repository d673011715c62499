"""Publishing: turn a corpus into a new version directory, reusing unchanged phrasing vectors.

Runs under the publish lock: read the version in service, apply the change to *its* entries
(so two editors publishing at once both keep their change; the later one wins on the same id),
embed only phrasings whose (model, text) key is new, write the version, switch CURRENT, prune.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from bot.core.normalise import clean_for_encoder

from . import index as faiss_index
from . import store
from .config import KBSettings
from .corpus import corpus_hash, entries_from_json, entries_to_json, text_key
from .encoders import Encoder
from .types import CorruptVersionError, Entry, NoIndexError

log = logging.getLogger(__name__)

Mutation = Callable[[list[Entry]], list[Entry]]


@dataclass(frozen=True)
class PublishReport:
    version: str
    entries: int
    vectors: int
    encoded: int
    reused: int
    seconds: float
    pruned: tuple[str, ...] = ()


def read_entries(root: Path, version: str) -> list[Entry]:
    folder = root / version
    store.read_manifest(folder)
    return entries_from_json((folder / store.ENTRIES).read_text(encoding="utf-8"))


def base_version(root: Path) -> str | None:
    """The version a change applies to: CURRENT, or if it is broken the newest valid older one."""
    current = store.read_current(root)
    if current is None:
        return None
    candidates = [
        v
        for v in store.list_versions(root)
        if store.version_number(v) < store.version_number(current)
    ]
    for version in [current, *reversed(candidates)]:
        try:
            store.read_manifest(root / version)
            return version
        except CorruptVersionError as error:
            log.error("cannot build on version %s: %s", version, error)
    raise NoIndexError(f"no valid version left in {root}; run `python -m bot.kb build`")


def current_entries(root: Path) -> list[Entry]:
    """Entries of the version in service (see base_version); NoIndexError before any publish."""
    version = base_version(root)
    if version is None:
        raise NoIndexError(f"nothing published yet in {root}; run `python -m bot.kb build`")
    return read_entries(root, version)


def _reusable_vectors(root: Path, model_checksum: str) -> dict[str, np.ndarray]:
    """key -> vector of the version in service, when it was built with the same model."""
    try:
        version = base_version(root)
    except NoIndexError:
        return {}
    if version is None:
        return {}
    folder = root / version
    try:
        manifest = store.read_manifest(folder)
        if manifest["model"]["checksum"] != model_checksum:
            log.info(
                "previous version %s used model %s: re-embedding everything",
                version,
                manifest["model"]["name"],
            )
            return {}
        index = faiss_index.load_index(folder / store.INDEX)
        ids, vectors = faiss_index.reconstruct_all(index)
    except (CorruptVersionError, KeyError, RuntimeError) as error:
        log.error("cannot reuse vectors of %s: %s", version, error)
        return {}
    position = {int(vid): row for row, vid in enumerate(ids)}
    reusable = {}
    for item in manifest.get("vectors", []):
        row = position.get(int(item["id"]))
        if row is not None:
            reusable[item["key"]] = vectors[row]
    return reusable


def _embed(
    encoder: Encoder, texts: list[str], prompt: str | None, progress: bool, batch_size: int = 64
) -> np.ndarray:
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    if not progress:
        return encoder.encode(
            texts, normalize_embeddings=True, prompt_name=prompt, batch_size=batch_size
        )
    from tqdm import tqdm

    parts = []
    with tqdm(total=len(texts), desc=f"embedding ({encoder.name})", unit="phrasing") as bar:
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            parts.append(
                encoder.encode(
                    chunk, normalize_embeddings=True, prompt_name=prompt, batch_size=batch_size
                )
            )
            bar.update(len(chunk))
    return np.vstack(parts)


def publish(
    settings: KBSettings,
    encoder: Encoder,
    mutate: Mutation,
    *,
    from_scratch: bool = False,
    progress: bool = False,
    before_switch: Callable[[str], None] | None = None,
) -> PublishReport:
    """Apply `mutate` to the corpus in service (or to [] if `from_scratch`) and publish it.

    `mutate` runs under the publish lock and may raise to publish nothing. `before_switch(version)`
    runs under the lock too, once the new version is fully written but before it is renamed
    into place and CURRENT switched: the caller's last word (e.g. committing its own record of
    the change); if it raises, the version is discarded and nothing is published."""
    root = settings.dir
    started = time.perf_counter()
    with store.publish_lock(root):
        base: list[Entry] = []
        if not from_scratch and store.read_current(root) is not None:
            base = current_entries(root)
        entries = [e.validate() for e in mutate(list(base))]
        ids = [e.id for e in entries]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate entry ids in the corpus to publish")
        version = store.next_version(root)
        prompt = encoder.document_prompt
        checksum = encoder.checksum
        rows: list[dict[str, object]] = []
        texts: list[str] = []
        for entry in entries:
            for field_no, phrasing in enumerate(entry.phrasings()):
                text = clean_for_encoder(phrasing)
                rows.append(
                    {
                        "id": len(rows),
                        "entry": entry.id,
                        "field": "question" if field_no == 0 else f"alternatives[{field_no - 1}]",
                        "key": text_key(encoder.name, checksum, prompt, text),
                    }
                )
                texts.append(text)
        reusable = _reusable_vectors(root, checksum)
        missing = [i for i, row in enumerate(rows) if row["key"] not in reusable]
        fresh = _embed(encoder, [texts[i] for i in missing], prompt, progress)
        vectors = np.zeros((len(rows), encoder.dimension), dtype=np.float32)
        for row_no, row in enumerate(rows):
            if row["key"] in reusable:
                vectors[row_no] = reusable[str(row["key"])]
        if missing:
            vectors[missing] = fresh
        kind = faiss_index.choose_kind(len(rows), settings.hnsw_min_vectors)
        index = faiss_index.build_index(
            vectors,
            np.arange(len(rows), dtype=np.int64),
            kind,
            settings.hnsw_m,
            settings.hnsw_ef_construction,
            settings.hnsw_ef_search,
        )
        staging = store.new_staging_dir(root, version)
        faiss_index.save_index(index, staging / store.INDEX)
        (staging / store.ENTRIES).write_text(entries_to_json(entries), encoding="utf-8")
        manifest = {
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "parent": store.read_current(root),  # CURRENT at publish time, valid or not
            "model": {
                "name": encoder.name,
                "package": encoder.package,
                "checksum": checksum,
                "dimension": encoder.dimension,
                "document_prompt": prompt,
            },
            "index": {"kind": kind, "metric": "inner_product", "ntotal": int(index.ntotal)},
            "entry_count": len(entries),
            "vector_count": len(rows),
            "corpus_sha256": corpus_hash(entries),
            "encoded_vectors": len(missing),
            "reused_vectors": len(rows) - len(missing),
            "vectors": rows,
        }
        if before_switch is not None:
            try:
                before_switch(version)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        store.commit_staging(root, staging, version, manifest)
        store.write_current(root, version)
        pruned = store.prune(root, settings.keep_versions)
    seconds = time.perf_counter() - started
    log.info(
        "published %s: %d entries, %d vectors (%d embedded, %d reused) in %.2f s",
        version,
        len(entries),
        len(rows),
        len(missing),
        len(rows) - len(missing),
        seconds,
    )
    reused = len(rows) - len(missing)
    return PublishReport(
        version, len(entries), len(rows), len(missing), reused, seconds, tuple(pruned)
    )


def manifest_summary(root: Path, version: str) -> dict[str, object]:
    """A manifest without its per-vector list, for `versions` and `stats`."""
    manifest = json.loads((root / version / store.MANIFEST).read_text(encoding="utf-8"))
    manifest.pop("vectors", None)
    return manifest
