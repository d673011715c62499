"""Files only their owner can read: what Comptoir writes holds shoppers' data or keys.

The databases (conversations, cases, orders, the proof throttle), the FAQ feedback and the
secrets in var/ must not be readable by the machine's other accounts. Each process calls
`private_umask()` first thing at start-up (bot/demo_shop, bot/backoffice, bot/web,
bot/action_server, bot/rasa, `python -m bot.core.shared_secrets`): every file it creates from
then on is 0600 and every folder 0700, SQLite's journals included (SQLite gives them the mode
of their database). Files an older version created 0644 are tightened at the same time: every
file directly in var/, and the files the process names (its database when it lives elsewhere,
e.g. `COMPTOIR_TRACKER_DB`). Standard library only: loaded by both interpreters.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import Iterable, Iterator, Union

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
PRIVATE_UMASK = 0o077  # new files 0600, new folders 0700
SQLITE_COMPANIONS = ("-journal", "-wal", "-shm")

log = logging.getLogger(__name__)
PathLike = Union[str, Path, None]


def sqlite_file(url_or_path: PathLike) -> Path | None:
    """The file behind `sqlite:///var/x.db` (or a plain path); None for another database
    (PostgreSQL), an in-memory one, or nothing."""
    if url_or_path is None or str(url_or_path).strip() == "":
        return None
    text = str(url_or_path).strip()
    if "://" not in text:
        return Path(text)
    scheme, _, rest = text.partition("://")
    if not scheme.split("+", 1)[0] == "sqlite":
        return None
    path = rest[1:].split("?", 1)[0]  # "sqlite:///a.db" -> "a.db", "sqlite:////tmp/a" -> "/tmp/a"
    return Path(path) if path and path != ":memory:" else None


def tighten(path: PathLike) -> bool:
    """Take the group's and others' permissions off an existing file (a database URL is read
    as its file, with SQLite's journals). True when a mode changed. Symbolic links and what
    this account may not change are left alone."""
    changed = False
    found = sqlite_file(path)
    if found is None:
        return False
    for candidate in [found, *(Path(f"{found}{tail}") for tail in SQLITE_COMPANIONS)]:
        try:
            info = candidate.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or not info.st_mode & PRIVATE_UMASK:
            continue
        try:
            os.chmod(candidate, stat.S_IMODE(info.st_mode) & ~PRIVATE_UMASK)
            changed = True
        except OSError as error:
            log.warning("cannot make %s private: %s", candidate, error)
    return changed


def _files_in(folder: Path | None) -> Iterator[Path]:
    if folder is None:
        return
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_file(follow_symlinks=False):
            yield Path(entry.path)


def private_umask(*paths: PathLike, folder: Path | None = VAR) -> int:
    """Make what this process creates private (umask 077), and tighten what exists already:
    the files directly in `folder` (var/) and `paths` (files or SQLite URLs; others ignored).
    Returns the previous umask."""
    previous = os.umask(PRIVATE_UMASK)
    targets: Iterable[PathLike] = [*_files_in(folder), *paths]
    for target in targets:
        tighten(target)
    return previous
