"""Publishing: versions, manifest, CURRENT pointer, pruning, incremental embedding."""

from __future__ import annotations

import json

import faiss

from bot.core.normalise import clean_for_encoder
from bot.kb import store
from bot.kb.service import KnowledgeBase

from .conftest import CountingEncoder, make_entry


def test_build_writes_a_complete_version(built_kb: KnowledgeBase, small_entries: list) -> None:
    root = built_kb.root
    assert store.read_current(root) == "v000001"
    folder = root / "v000001"
    assert sorted(p.name for p in folder.iterdir()) == [
        "entries.json",
        "index.faiss",
        "manifest.json",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    phrasings = sum(len(e.phrasings()) for e in small_entries)
    assert manifest["model"]["name"] == built_kb.encoder.name
    assert len(manifest["model"]["checksum"]) == 64
    assert manifest["model"]["dimension"] == built_kb.encoder.dimension
    assert manifest["entry_count"] == len(small_entries)
    assert manifest["vector_count"] == phrasings == len(manifest["vectors"])
    assert {"id", "entry", "field", "key"} <= set(manifest["vectors"][0])
    assert manifest["corpus_sha256"] and manifest["created_at"]
    index = faiss.read_index(str(folder / "index.faiss"))
    assert index.ntotal == phrasings
    assert not list(root.glob(".tmp-*")) and not list(root.glob(".CURRENT*"))
    assert (root / "CURRENT").stat().st_mode & 0o044 == 0o044  # readable by other users
    assert folder.stat().st_mode & 0o055 == 0o055


def test_versions_increase_and_old_ones_are_pruned(built_kb: KnowledgeBase) -> None:
    for n in range(4):
        built_kb.upsert(
            [make_entry(f"gift.extra_{n}", f"question extra {n}", ["a b c", "d e f", "g h i"])]
        )
    versions = [row["version"] for row in built_kb.list_versions()]
    assert versions == ["v000003", "v000004", "v000005"]  # keep_versions=3
    assert built_kb.current_version() == "v000005"
    assert all(row["valid"] for row in built_kb.list_versions())


def test_incremental_publish_embeds_only_new_phrasings(built_kb: KnowledgeBase, encoder) -> None:
    counting = CountingEncoder(encoder)
    writer = KnowledgeBase(settings=built_kb.settings, encoder=counting)
    new = make_entry(
        "gift.advent",
        "Vendez-vous des calendriers de l'avent ?",
        [
            "calendrier de l'avent beauté",
            "calendrier avent dispo",
            "coffret de noël à ouvrir chaque jour",
        ],
    )
    writer.upsert([new])
    assert sorted(counting.requested) == sorted(clean_for_encoder(p) for p in new.phrasings())

    counting.requested.clear()
    changed = make_entry(
        "gift.advent", new.question, [*new.alternatives[:2], "calendrier de décembre"]
    )
    writer.upsert([changed])
    assert counting.requested == [clean_for_encoder("calendrier de décembre")]

    counting.requested.clear()
    writer.delete(["gift.advent"])
    assert counting.requested == []
    manifest = json.loads((built_kb.root / "v000004" / "manifest.json").read_text())
    assert (
        manifest["encoded_vectors"] == 0 and manifest["reused_vectors"] == manifest["vector_count"]
    )


def test_rebuild_of_unchanged_corpus_reuses_every_vector(built_kb: KnowledgeBase) -> None:
    report = built_kb.build()
    assert report.encoded == 0 and report.reused == report.vectors
