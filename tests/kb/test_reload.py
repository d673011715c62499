"""Readers swap in new versions without restart and survive broken ones."""

from __future__ import annotations

import json
import logging
import shutil

import pytest

from bot.kb import store
from bot.kb.service import KnowledgeBase
from bot.kb.types import ModelMismatchError

from .conftest import RenamedEncoder, make_entry

NEW = make_entry(
    "gift.engraving",
    "Proposez-vous la gravure des bijoux ?",
    ["graver un prénom sur un bracelet", "gravure personnalisée", "faire graver une bague"],
)


def test_existing_reader_hot_reloads_a_new_version(built_kb: KnowledgeBase, encoder) -> None:
    reader = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
    assert reader.search("gravure de bijoux").version == "v000001"
    built_kb.upsert([NEW])
    result = reader.search("je voudrais faire graver un prénom sur un bracelet")
    assert result.version == "v000002"
    assert result.top is not None and result.top.id == NEW.id


def _corrupt_copy(root, source: str, target: str) -> None:
    shutil.copytree(root / source, root / target)
    (root / target / "index.faiss").write_bytes(b"not a faiss index")


def test_corrupt_version_is_ignored_and_previous_kept(
    built_kb: KnowledgeBase, encoder, caplog
) -> None:
    reader = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
    assert reader.current_version() == "v000001"
    _corrupt_copy(built_kb.root, "v000001", "v000002")
    store.write_current(built_kb.root, "v000002")
    with caplog.at_level(logging.ERROR):
        result = reader.search("mot de passe oublié")
    assert result.version == "v000001" and result.hits
    assert any("v000002" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    # a later good publish is picked up again
    built_kb.upsert([NEW])
    assert reader.search("gravure").version == "v000003"


def test_partial_version_without_manifest_is_ignored(built_kb: KnowledgeBase, encoder) -> None:
    reader = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
    reader.search("facture")
    shutil.copytree(built_kb.root / "v000001", built_kb.root / "v000002")
    (built_kb.root / "v000002" / "manifest.json").unlink()
    store.write_current(built_kb.root, "v000002")
    assert reader.search("facture").version == "v000001"


def test_fresh_reader_falls_back_to_the_newest_valid_version(
    built_kb: KnowledgeBase, encoder
) -> None:
    _corrupt_copy(built_kb.root, "v000001", "v000002")
    store.write_current(built_kb.root, "v000002")
    fresh = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
    assert fresh.search("facture").version == "v000001"


def test_index_built_with_another_model_is_a_clear_error(built_kb: KnowledgeBase, encoder) -> None:
    other = KnowledgeBase(
        settings=built_kb.settings, encoder=RenamedEncoder(encoder, "other-model")
    )
    with pytest.raises(ModelMismatchError) as raised:
        other.search("facture")
    message = str(raised.value)
    assert encoder.name in message and "other-model" in message


def test_reader_keeps_serving_when_a_new_version_has_another_model(
    built_kb: KnowledgeBase, encoder
) -> None:
    reader = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
    reader.search("facture")
    KnowledgeBase(
        settings=built_kb.settings, encoder=RenamedEncoder(encoder, "other-model")
    ).build()
    manifest = json.loads((built_kb.root / "v000002" / "manifest.json").read_text())
    assert (
        manifest["model"]["name"] == "other-model"
        and manifest["encoded_vectors"] == manifest["vector_count"]
    )
    assert reader.search("facture").version == "v000001"
