"""Product vectors for the million-product bench: each distinct text embedded once, resumably.

At 1M products the embedding is the cost (USE-multilingual ≈ 200 texts/s on one core), so:
- identical product texts share one embedding: the generator yields ≈ 758k distinct texts for
  1M products (near-twins with the same name, brand and description), so ≈ 24 % less work;
- distinct texts are embedded in fixed chunks, each saved on its own (`chunk-00012.npy`, written
  to a temporary name then renamed), so a stopped run loses at most one chunk and the next run
  goes on where it stopped;
- vectors already cached for a smaller size (the 100k bench file: product N is the same at any
  size) fill the chunks whose texts they cover, without the encoder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import numpy as np

if TYPE_CHECKING:
    from bot.kb.encoders import Encoder

log = logging.getLogger(__name__)

CHUNK = 8192

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Dedup:
    """Distinct texts in order of first appearance, and each product's row among them."""

    texts: list[str]
    rows: np.ndarray  # int32, one per product: index into `texts`
    first: np.ndarray  # int64, one per distinct text: the first product that has it

    @property
    def products(self) -> int:
        return len(self.rows)


def dedup(texts: Iterable[str]) -> Dedup:
    """Map every text to its first occurrence (hashed: 1M texts stay a few hundred MB)."""
    seen: dict[bytes, int] = {}
    distinct: list[str] = []
    first: list[int] = []
    rows: list[int] = []
    for position, text in enumerate(texts):
        key = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        row = seen.get(key)
        if row is None:
            row = seen[key] = len(distinct)
            distinct.append(text)
            first.append(position)
        rows.append(row)
    return Dedup(distinct, np.asarray(rows, dtype=np.int32), np.asarray(first, dtype=np.int64))


def reusable(found: Dedup, prefix_products: int, chunk: int = CHUNK) -> int:
    """Distinct texts a smaller cache of `prefix_products` vectors fills: whole chunks only
    (first appearances are increasing, so a chunk is covered when its last text is)."""
    covered = 0
    for lo in range(0, len(found.texts), chunk):
        hi = min(len(found.texts), lo + chunk)
        if found.first[hi - 1] >= prefix_products:
            break
        covered = hi
    return covered


def chunk_path(folder: Path, number: int) -> Path:
    return folder / f"chunk-{number:05d}.npy"


def missing_chunks(folder: Path, distinct: int, chunk: int = CHUNK) -> list[int]:
    """Chunk numbers not yet on disk (a run stopped halfway resumes from these)."""
    total = -(-distinct // chunk)
    return [k for k in range(total) if not chunk_path(folder, k).is_file()]


def _save(path: Path, array: np.ndarray) -> None:
    partial = path.with_name(path.name + ".part.npy")
    np.save(partial, array)
    partial.replace(path)


def embed_chunks(
    found: Dedup,
    embed: Embed,
    folder: Path,
    prefix: np.ndarray | None = None,
    chunk: int = CHUNK,
    deadline: float | None = None,
) -> bool:
    """Embed the missing chunks of distinct texts into `folder`; True when all are there.

    `prefix` holds vectors for the first `len(prefix)` products (a smaller size's cache): a
    chunk whose texts all first appear there is copied, not embedded. `deadline` (a
    `time.time()`) stops cleanly between chunks; the next call resumes."""
    folder.mkdir(parents=True, exist_ok=True)
    todo = missing_chunks(folder, len(found.texts), chunk)
    started, embedded = time.perf_counter(), 0
    for number in todo:
        if deadline is not None and time.time() >= deadline:
            log.warning(
                "deadline reached: %d chunks left in %s",
                len(missing_chunks(folder, len(found.texts), chunk)),
                folder,
            )
            return False
        lo, hi = number * chunk, min(len(found.texts), (number + 1) * chunk)
        firsts = found.first[lo:hi]
        if prefix is not None and int(firsts.max()) < len(prefix):
            _save(chunk_path(folder, number), np.asarray(prefix[firsts], dtype=np.float32))
            continue
        began = time.perf_counter()
        _save(chunk_path(folder, number), np.asarray(embed(found.texts[lo:hi]), dtype=np.float32))
        _add_spent(folder, time.perf_counter() - began, hi - lo)
        embedded += hi - lo
        rate = embedded / max(1e-9, time.perf_counter() - started)
        log.info(
            "chunk %d/%d embedded (%.0f texts/s)", number + 1, -(-len(found.texts) // chunk), rate
        )
    return not missing_chunks(folder, len(found.texts), chunk)


def spent(folder: Path) -> dict[str, float]:
    """Encoder time and texts embedded so far in this cache, summed over resumed runs."""
    path = folder / "embedding.json"
    if not path.is_file():
        return {"seconds": 0.0, "texts": 0}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _add_spent(folder: Path, seconds: float, texts: int) -> None:
    total = spent(folder)
    total = {"seconds": round(total["seconds"] + seconds, 1), "texts": int(total["texts"] + texts)}
    (folder / "embedding.json").write_text(json.dumps(total), encoding="utf-8")


def assemble(found: Dedup, folder: Path, chunk: int = CHUNK) -> np.ndarray:
    """One vector per product (rows of the distinct vectors), once every chunk is there."""
    missing = missing_chunks(folder, len(found.texts), chunk)
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} chunks missing in {folder}: run the embedding again"
        )
    distinct = np.concatenate(
        [np.load(chunk_path(folder, k)) for k in range(-(-len(found.texts) // chunk))]
    )[: len(found.texts)]  # a larger size's folder: its last chunk needed may hold more
    return distinct[found.rows]


def covering_folder(
    cache_dir: Path, encoder_name: str, checksum: str, found: Dedup, chunk: int = CHUNK
) -> Path | None:
    """A larger size's chunk folder that already holds every distinct text of this size (the
    first N products' distinct texts, in first-appearance order, are the start of any larger
    size's): a 1M embedding stopped halfway still serves a 500k bench."""
    for folder in sorted(cache_dir.glob(f"bench-{encoder_name}-{checksum[:12]}-*.chunks")):
        size = folder.name.rsplit("-", 1)[-1].removesuffix(".chunks")
        if size.isdigit() and int(size) > found.products:
            if not missing_chunks(folder, len(found.texts), chunk):
                return folder
    return None


def cache_folder(cache_dir: Path, encoder_name: str, checksum: str, size: int) -> Path:
    return cache_dir / f"bench-{encoder_name}-{checksum[:12]}-{size}.chunks"


def _prefix(cache_dir: Path, encoder_name: str, checksum: str, size: int) -> np.ndarray | None:
    """The largest smaller size's single-file cache (memory-mapped), if any."""
    best: tuple[int, Path] | None = None
    for path in cache_dir.glob(f"bench-{encoder_name}-{checksum[:12]}-*.npy"):
        tail = path.stem.rsplit("-", 1)[-1]
        if tail.isdigit() and int(tail) < size and (best is None or int(tail) > best[0]):
            best = (int(tail), path)
    return np.load(best[1], mmap_mode="r") if best else None


def chunked_vectors(
    size: int, encoder: Encoder, cache_dir: Path, deadline: float | None = None
) -> tuple[np.ndarray | None, dict[str, Any]]:
    """(one vector per product or None if stopped at `deadline`, dedup figures)."""
    from .generate import iter_products

    started = time.perf_counter()
    found = dedup(p.text() for p in iter_products(size))
    folder = cache_folder(cache_dir, encoder.name, encoder.checksum, size)
    prefix = _prefix(cache_dir, encoder.name, encoder.checksum, size)
    figures = {
        "products": found.products,
        "distinct_texts": len(found.texts),
        "reused_from_smaller_cache": reusable(found, len(prefix) if prefix is not None else 0),
    }
    log.info(
        "%d products, %d distinct texts (%.0f s to generate)",
        size,
        len(found.texts),
        time.perf_counter() - started,
    )

    def embed(texts: Sequence[str]) -> np.ndarray:
        return encoder.encode(list(texts), prompt_name="passage", batch_size=256)

    if missing_chunks(folder, len(found.texts)):
        bigger = covering_folder(cache_dir, encoder.name, encoder.checksum, found)
        if bigger is not None:
            log.info("vectors from %s", bigger.name)
            return assemble(found, bigger), figures | {"vectors_from": bigger.name}
    if not embed_chunks(found, embed, folder, prefix=prefix, deadline=deadline):
        return None, figures
    return assemble(found, folder), figures


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m bot.catalogue.bench_vectors --size 1000000 [--until 00:40]`: embed only."""
    import argparse
    import datetime as dt

    from bot.kb.encoders import get_encoder

    from .evaluate import CACHE_DIR

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--encoder", default="use")
    parser.add_argument("--until", help="UTC HH:MM: stop cleanly between chunks after it")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    deadline = None
    if args.until:
        now = dt.datetime.now(dt.timezone.utc)
        hour, minute = (int(x) for x in args.until.split(":"))
        stop = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if stop <= now:
            stop += dt.timedelta(days=1)
        deadline = stop.timestamp()
    encoder = get_encoder(args.encoder)
    vectors, figures = chunked_vectors(args.size, encoder, CACHE_DIR, deadline)
    print(figures, "complete" if vectors is not None else "stopped: run again to resume")
    return 0 if vectors is not None else 3


if __name__ == "__main__":
    raise SystemExit(main())


def covered_products(found: Dedup, folder: Path, chunk: int = CHUNK) -> int:
    """How many leading products have their vector on disk (chunks are filled in order, so a
    stopped run still covers a whole prefix of the catalogue: the size it can bench)."""
    missing = missing_chunks(folder, len(found.texts), chunk)
    if not missing:
        return found.products
    beyond = np.flatnonzero(found.rows >= missing[0] * chunk)
    return int(beyond[0]) if len(beyond) else found.products
