"""On-disk layout of published versions, the CURRENT pointer, the publish lock and pruning.

    kb_index/
      CURRENT            one line: the version in service (switched with os.replace)
      .publish.lock      fcntl lock held by the one process publishing
      v000007/           index.faiss, entries.json, manifest.json (written last)

A version directory is written under a temporary name and renamed into place, then CURRENT is
switched atomically, so a reader never sees a torn version.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

from .types import CorruptVersionError

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
LOCK = ".publish.lock"
MANIFEST = "manifest.json"
ENTRIES = "entries.json"
INDEX = "index.faiss"
FORMAT = 1
_VERSION = re.compile(r"^v(\d{6,})$")


def version_number(version: str) -> int:
    match = _VERSION.match(version)
    if not match:
        raise ValueError(f"not a version id: {version!r}")
    return int(match.group(1))


def list_versions(root: Path) -> list[str]:
    """Version ids present on disk, oldest first (valid or not)."""
    if not root.is_dir():
        return []
    found = [p.name for p in root.iterdir() if p.is_dir() and _VERSION.match(p.name)]
    return sorted(found, key=version_number)


def next_version(root: Path) -> str:
    existing = list_versions(root)
    current = read_current(root)
    numbers = [version_number(v) for v in existing]
    if current and _VERSION.match(current):
        numbers.append(version_number(current))
    return f"v{(max(numbers) if numbers else 0) + 1:06d}"


def read_current(root: Path) -> str | None:
    """The version named by CURRENT, or None before the first publish. A few µs: one small read."""
    try:
        text = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_current(root: Path, version: str) -> None:
    """Switch CURRENT atomically: write a temp file beside it, fsync, os.replace."""
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT.", dir=root)
    os.fchmod(fd, 0o644)  # mkstemp makes it 0600: readers may run as another user
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(version + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)


@contextlib.contextmanager
def publish_lock(root: Path, timeout: float = 60.0) -> Iterator[None]:
    """Exclusive fcntl lock: one publisher at a time, across processes and threads."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another publish holds {root / LOCK}") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def new_staging_dir(root: Path, version: str) -> Path:
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{version}-", dir=root))
    staging.chmod(0o755)  # mkdtemp makes it 0700: the action server may run as another user
    return staging


def commit_staging(root: Path, staging: Path, version: str, manifest: dict[str, Any]) -> Path:
    """Write the manifest last, fsync, rename the staging dir to its version name."""
    manifest = {**manifest, "format": FORMAT, "version": version}
    manifest["files"] = {name: file_sha256(staging / name) for name in (INDEX, ENTRIES)}
    (staging / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    for name in (INDEX, ENTRIES, MANIFEST):
        with open(staging / name, "rb") as handle:
            os.fsync(handle.fileno())
    target = root / version
    os.rename(staging, target)
    _fsync_dir(root)
    return target


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a version, after checking that its files are complete and unchanged."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorruptVersionError(f"{folder.name}: no {MANIFEST} (partial version)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptVersionError(f"{folder.name}: unreadable {MANIFEST}: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CorruptVersionError(f"{folder.name}: unknown manifest format")
    for name, expected in (manifest.get("files") or {}).items():
        path = folder / name
        if not path.is_file():
            raise CorruptVersionError(f"{folder.name}: missing {name}")
        if file_sha256(path) != expected:
            raise CorruptVersionError(f"{folder.name}: {name} does not match its manifest checksum")
    if set(manifest.get("files") or {}) != {INDEX, ENTRIES}:
        raise CorruptVersionError(f"{folder.name}: manifest does not list {INDEX} and {ENTRIES}")
    return manifest


def prune(root: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` versions (never CURRENT) and staging dirs left by a crash.

    Called under the publish lock, so no staging dir can belong to a live publisher.
    """
    current = read_current(root)
    versions = list_versions(root)
    doomed = [v for v in versions[:-keep] if v != current] if keep > 0 else []
    for version in doomed:
        shutil.rmtree(root / version, ignore_errors=True)
    for stale in root.glob(".tmp-v*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    if doomed:
        log.info("pruned versions %s", ", ".join(doomed))
    return doomed
