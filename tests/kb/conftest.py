"""Fixtures for the knowledge-base tests: the real chosen encoder, loaded once per session.

A caching wrapper embeds each distinct text once per session (the slow part), and a counting
wrapper records which texts the knowledge base asked for, to prove incremental publishing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pytest

os.environ.setdefault("COMPTOIR_KB_ENCODER_THREADS", "2")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.kb.config import REPO_ROOT, KBSettings, get_kb_settings  # noqa: E402
from bot.kb.corpus import export_yaml, load_faq_dir  # noqa: E402
from bot.kb.encoders import CachingEncoder, get_encoder  # noqa: E402
from bot.kb.service import KnowledgeBase  # noqa: E402
from bot.kb.types import Entry  # noqa: E402

FAQ_DIR = REPO_ROOT / "data" / "faq"


class CountingEncoder(CachingEncoder):
    """Records every text the knowledge base asks to embed."""

    def __init__(self, shared: CachingEncoder) -> None:
        super().__init__(shared.inner)
        self.cache = shared.cache
        self.requested: list[str] = []

    def encode(
        self,
        texts: Sequence[str],
        normalize_embeddings: bool = True,
        prompt_name: str | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        self.requested.extend([texts] if isinstance(texts, str) else list(texts))
        return super().encode(texts, normalize_embeddings, prompt_name, batch_size)


class RenamedEncoder(CachingEncoder):
    """The same vectors under another model identity: what a model swap looks like on disk."""

    def __init__(self, shared: CachingEncoder, name: str) -> None:
        super().__init__(shared.inner)
        self.cache = shared.cache
        self.name = name

    @property
    def checksum(self) -> str:
        return "0" * 64


@pytest.fixture(scope="session")
def encoder() -> CachingEncoder:
    return CachingEncoder(get_encoder(get_kb_settings().encoder))


@pytest.fixture(scope="session")
def all_entries() -> list[Entry]:
    return load_faq_dir(FAQ_DIR)


@pytest.fixture(scope="session")
def small_entries(all_entries: list[Entry]) -> list[Entry]:
    """Two entries of every topic: enough for a real classifier, quick to embed."""
    picked: dict[str, list[Entry]] = {}
    for entry in all_entries:
        if len(picked.setdefault(entry.topic, [])) < 2:
            picked[entry.topic].append(entry)
    return [e for group in picked.values() for e in group]


@pytest.fixture(scope="session")
def small_faq_dir(tmp_path_factory: pytest.TempPathFactory, small_entries: list[Entry]) -> Path:
    folder = tmp_path_factory.mktemp("faq")
    export_yaml(small_entries, folder)
    return folder


@pytest.fixture(scope="session")
def tiny_faq_dir(tmp_path_factory: pytest.TempPathFactory, all_entries: list[Entry]) -> Path:
    """Four entries, for subprocess smoke tests that must embed everything themselves."""
    wanted = {"account.create", "delivery_cost.prices", "contact.phone", "gift.wrapping"}
    folder = tmp_path_factory.mktemp("tiny_faq")
    export_yaml([e for e in all_entries if e.id in wanted], folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, small_faq_dir: Path) -> KBSettings:
    return get_kb_settings(dir=tmp_path / "kb_index", faq_dir=small_faq_dir, keep_versions=3)


@pytest.fixture
def kb(settings: KBSettings, encoder: CachingEncoder) -> KnowledgeBase:
    return KnowledgeBase(settings=settings, encoder=encoder)


@pytest.fixture
def built_kb(kb: KnowledgeBase) -> KnowledgeBase:
    kb.build()
    return kb


@pytest.fixture(scope="session")
def full_kb(
    tmp_path_factory: pytest.TempPathFactory, encoder: CachingEncoder
) -> Iterator[KnowledgeBase]:
    """The whole demo FAQ, built once: outcome tests need the corpus the thresholds fit."""
    folder = tmp_path_factory.mktemp("full_kb")
    kb = KnowledgeBase(settings=get_kb_settings(dir=folder, faq_dir=FAQ_DIR), encoder=encoder)
    kb.build()
    yield kb


def make_entry(
    entry_id: str, question: str, alternatives: Sequence[str], topic: str = "gift"
) -> Entry:
    return Entry(entry_id, topic, question, tuple(alternatives), f"Réponse pour {entry_id}.")
