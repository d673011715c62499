"""Reading and writing FAQ entries: YAML sources (one file per topic) and the JSON of a version.

The published corpus is JSON (never pickle) so that any process can read it safely; the YAML
folder is the seed an editor or `python -m bot.kb build` publishes from.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Iterable

import yaml

from .types import Changes, Entry, InvalidEntryError, StaleEntryError

log = logging.getLogger(__name__)


def load_yaml_entries(path: Path) -> list[Entry]:
    """Entries of one YAML file: either a list of entries or a mapping with an `entries` list."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        items = [data] if "id" in data else data.get("entries", [])
    else:
        items = data
    if not isinstance(items, list):
        raise InvalidEntryError(f"{path}: expected a list of entries or a mapping with 'entries'")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidEntryError(f"{path}: every entry must be a mapping, got {item!r}")
        try:
            entries.append(Entry.from_dict(item))
        except InvalidEntryError as error:
            raise InvalidEntryError(f"{path}: {error}") from None
    return entries


def load_faq_dir(folder: Path) -> list[Entry]:
    """All entries of a FAQ folder (*.yml, *.yaml), checked for duplicate ids."""
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
    if not files:
        raise InvalidEntryError(f"no FAQ YAML files in {folder}")
    entries: list[Entry] = []
    seen: dict[str, Path] = {}
    for path in files:
        for entry in load_yaml_entries(path):
            if entry.id in seen:
                raise InvalidEntryError(f"duplicate id {entry.id!r} in {path} and {seen[entry.id]}")
            seen[entry.id] = path
            entries.append(entry)
    return entries


def export_yaml(entries: Iterable[Entry], folder: Path) -> list[Path]:
    """Write the corpus back as one YAML file per topic (used to commit back-office edits)."""
    folder.mkdir(parents=True, exist_ok=True)
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_topic.setdefault(entry.topic, []).append(entry.to_dict())
    written = []
    for topic, items in sorted(by_topic.items()):
        path = folder / f"{topic}.yml"
        text = yaml.safe_dump({"entries": items}, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def entries_to_json(entries: Iterable[Entry]) -> str:
    return json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1)


def entries_from_json(text: str) -> list[Entry]:
    return [Entry.from_dict(item) for item in json.loads(text)]


def corpus_hash(entries: Iterable[Entry]) -> str:
    """Order-independent sha256 of the corpus content: equal corpora, equal hash."""
    rows = sorted(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) for e in entries)
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def text_key(model: str, checksum: str, prompt: str | None, text: str) -> str:
    """Cache key of one phrasing vector: the same text under the same model is never re-embedded."""
    raw = "\0".join((model, checksum, prompt or "", text))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def apply_changes(entries: list[Entry], changes: Changes) -> list[Entry]:
    """A new corpus: `changes` applied to `entries` (the version in service), after checking
    its expectations (StaleEntryError when one fails; `entries` is never modified)."""
    by_id = {e.id: e for e in entries}
    for entry_id, expected in changes.expect.items():
        current = by_id.get(entry_id)
        if current != expected:
            raise StaleEntryError(entry_id, expected, current)
    for entry in changes.upserts:
        by_id[entry.id] = entry
    for entry_id in changes.deletes:
        if by_id.pop(entry_id, None) is None:
            log.warning("delete: no entry with id %r", entry_id)
    return list(by_id.values())
