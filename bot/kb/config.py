"""Knowledge-base settings, read from the environment or a `.env` file (prefix COMPTOIR_KB_).

The library's own configuration, so that bot.kb stays self-contained (it imports only
bot.core); a process that has a settings object of its own holds one of these in it and builds
its KnowledgeBase from that (`KnowledgeBase(settings=...)`), and the CLI builds one from the
environment. The fusion weights and outcome thresholds default to the values measured by
`python -m bot.tools.kb tune` and stored in `tuning.json` beside this file.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
TUNING_FILE = Path(__file__).resolve().parent / "tuning.json"


@lru_cache(maxsize=1)
def load_tuning() -> dict[str, Any]:
    """Measured defaults (encoder, fusion, thresholds); empty when never tuned."""
    try:
        return dict(json.loads(TUNING_FILE.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}


def _tuned(key: str, fallback: Any) -> Any:
    return load_tuning().get("chosen", {}).get(key, fallback)


class KBSettings(BaseSettings):
    """Every knob of the knowledge base; env vars override the measured defaults."""

    model_config = SettingsConfigDict(env_prefix="COMPTOIR_KB_", env_file=".env", extra="ignore")

    dir: Path = Field(default_factory=lambda: REPO_ROOT / "kb_index")
    faq_dir: Path = Field(default_factory=lambda: REPO_ROOT / "data" / "faq")
    encoder: str = Field(default_factory=lambda: _tuned("encoder", "use-multilingual-v3"))
    keep_versions: int = Field(5, ge=1)
    # Past this many phrasing vectors the index is HNSW instead of exact. Measured (`bench`,
    # 384-d random unit vectors, 1 thread): exact 1.5 ms at 10k, 12 ms at 100k, 114 ms at 1M;
    # HNSW (M 32, efC 80) recall@5 at efSearch 256: 0.97 / 0.45 / 0.08, and it took 29 min to
    # build at 1M. Exact stays well inside the 1 s budget up to 1M vectors, so it is used there.
    hnsw_min_vectors: int = Field(1_000_000, ge=1)
    hnsw_m: int = Field(32, ge=4)
    hnsw_ef_construction: int = Field(80, ge=8)
    hnsw_ef_search: int = Field(256, ge=8)
    dense_candidates: int = Field(64, ge=1)
    # Above this many entries the lexical leg is nearest-phrasing TF-IDF instead of LinearSVC.
    svm_max_entries: int = Field(5_000, ge=2)
    max_query_chars: int = Field(1_000, ge=10)
    # Threads. The encoder: one, since a query is one short sentence and the two cores are shared
    # with Rasa (raise it for bulk builds). FAISS: one per query, since idle spinning OpenMP
    # threads starve the encoder (measured: e5 query 24 ms -> 190 ms median); every core to build.
    encoder_threads: int = Field(1, ge=1)
    faiss_threads: int = Field(1, ge=1)
    faiss_build_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    w_dense: float = Field(default_factory=lambda: _tuned("w_dense", 0.5), ge=0, le=1)
    t_dense: float = Field(default_factory=lambda: _tuned("t_dense", 0.05), gt=0)
    t_lexical: float = Field(default_factory=lambda: _tuned("t_lexical", 0.2), gt=0)
    b_dense: float | None = Field(default_factory=lambda: _tuned("b_dense", None))
    b_lexical: float | None = Field(default_factory=lambda: _tuned("b_lexical", None))
    answer_threshold: float = Field(default_factory=lambda: _tuned("answer_threshold", 0.6))
    choose_threshold: float = Field(default_factory=lambda: _tuned("choose_threshold", 0.2))


def get_kb_settings(**overrides: Any) -> KBSettings:
    """A fresh settings object (cheap); keyword overrides win over the environment."""
    return KBSettings(**overrides)
