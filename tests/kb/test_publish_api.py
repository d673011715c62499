"""`KnowledgeBase.publish(Changes)`: one call carries the whole change, is checked and written
under the publish lock, and leaves nothing pending on the (shared) reader object."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.kb import Changes, StaleEntryError, store
from bot.kb.service import KnowledgeBase

from .conftest import make_entry

NEW = make_entry("gift.ribbon", "Mettez-vous un ruban ?", ["ruban cadeau", "noeud", "bolduc"])


def test_one_publish_applies_upserts_and_deletes_together(built_kb: KnowledgeBase) -> None:
    before = {e.id: e for e in built_kb.entries()}
    gone = next(iter(before))
    version = built_kb.publish(Changes(upserts=[NEW], deletes=[gone]))
    assert version == "v000002" == built_kb.current_version()
    after = {e.id: e for e in built_kb.entries()}
    assert set(after) == set(before) - {gone} | {NEW.id} and after[NEW.id] == NEW


def test_an_outdated_expectation_publishes_nothing_and_leaves_nothing(
    built_kb: KnowledgeBase,
) -> None:
    existing = built_kb.entries()[0]
    seen = replace(existing, answer="Ce que l'éditeur avait lu.")
    with pytest.raises(StaleEntryError) as raised:
        built_kb.publish(
            Changes(
                upserts=[NEW, replace(existing, answer="Mon texte.")], expect={existing.id: seen}
            )
        )
    assert raised.value.entry_id == existing.id and raised.value.current == existing
    assert built_kb.current_version() == "v000001"
    assert [row["version"] for row in built_kb.list_versions()] == ["v000001"]
    with pytest.raises(StaleEntryError) as absent:
        built_kb.publish(
            Changes(upserts=[replace(existing, answer="x")], expect={existing.id: None})
        )
    assert absent.value.current == existing

    # The refused change is not kept anywhere: the next publish carries only its own change.
    built_kb.delete([existing.id])
    ids = {e.id for e in built_kb.entries()}
    assert existing.id not in ids and NEW.id not in ids
    assert not [name for name in vars(built_kb) if "pending" in name]


def test_an_expectation_that_holds_publishes(built_kb: KnowledgeBase) -> None:
    existing = built_kb.entries()[0]
    edited = replace(existing, answer="Réponse revue.")
    built_kb.publish(Changes(upserts=[edited], expect={existing.id: existing, NEW.id: None}))
    assert next(e for e in built_kb.entries() if e.id == existing.id).answer == "Réponse revue."


def test_before_switch_runs_with_the_new_version_before_it_goes_live(
    built_kb: KnowledgeBase,
) -> None:
    seen: list[tuple[str, str | None]] = []

    def record(version: str) -> None:
        seen.append((version, store.read_current(built_kb.root)))

    version = built_kb.publish(Changes(upserts=[NEW]), before_switch=record)
    assert seen == [("v000002", "v000001")] and version == "v000002"


def test_before_switch_raising_publishes_nothing(built_kb: KnowledgeBase) -> None:
    def refuse(version: str) -> None:
        raise RuntimeError("the editor's database said no")

    with pytest.raises(RuntimeError):
        built_kb.publish(Changes(upserts=[NEW]), before_switch=refuse)
    assert store.read_current(built_kb.root) == "v000001"
    assert store.list_versions(built_kb.root) == ["v000001"]
    assert not list(built_kb.root.glob(".tmp-*"))
    assert NEW.id not in {e.id for e in built_kb.entries()}
    assert built_kb.upsert([NEW]) == "v000002"  # the number was not used up
