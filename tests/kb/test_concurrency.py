"""Concurrent publishers never tear the index: every change lands, versions increase."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from dataclasses import replace

from bot.kb import Changes, StaleEntryError, store
from bot.kb.config import REPO_ROOT
from bot.kb.publisher import current_entries
from bot.kb.service import KnowledgeBase

from .conftest import make_entry


def test_threads_publishing_at_once_keep_every_change(built_kb: KnowledgeBase, encoder) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            kb = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
            kb.upsert(
                [
                    make_entry(
                        f"gift.thread_{n}",
                        f"question du fil {n}",
                        ["un deux", "trois quatre", "cinq six"],
                    )
                ]
            )
        except BaseException as error:  # noqa: BLE001 - surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.read_current(built_kb.root) == "v000005"
    ids = {e.id for e in current_entries(built_kb.root)}
    assert {f"gift.thread_{n}" for n in range(4)} <= ids
    top = KnowledgeBase(settings=built_kb.settings, encoder=encoder).search("question du fil 2").top
    assert top is not None and top.id == "gift.thread_2"


def test_two_processes_publishing_at_once_leave_a_valid_index(built_kb: KnowledgeBase) -> None:
    env = {**os.environ, "COMPTOIR_KB_ENCODER_THREADS": "1"}
    base = [
        sys.executable,
        "-m",
        "bot.kb",
        "--kb-dir",
        str(built_kb.root),
        "--encoder",
        built_kb.encoder.name,
        "add",
    ]
    procs = [
        subprocess.Popen(
            [
                *base,
                "--id",
                f"gift.proc_{n}",
                "--topic",
                "gift",
                "--question",
                f"question processus {n}",
                "--alt",
                "alpha beta",
                "--alt",
                "gamma delta",
                "--alt",
                "epsilon zeta",
                "--answer",
                "ok",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert store.read_current(built_kb.root) == "v000003"
    assert all(row["valid"] for row in built_kb.list_versions())
    assert {"gift.proc_0", "gift.proc_1"} <= {e.id for e in current_entries(built_kb.root)}


def test_two_editors_of_one_entry_one_wins_the_other_is_told(
    built_kb: KnowledgeBase, encoder
) -> None:
    """Both read the same entry and publish at once, each expecting what they read: exactly
    one publishes, the other is refused with the entry now in service (never a silent
    overwrite), and publishing again from that entry lands its edit too."""
    original = built_kb.entries()[0]
    start = threading.Barrier(2)
    outcomes: dict[int, object] = {}

    def editor(n: int) -> None:
        kb = KnowledgeBase(settings=built_kb.settings, encoder=encoder)
        edited = replace(original, answer=f"Réponse de l'éditeur {n}.")
        start.wait()
        try:
            outcomes[n] = kb.publish(Changes(upserts=[edited], expect={original.id: original}))
        except StaleEntryError as error:
            outcomes[n] = error

    threads = [threading.Thread(target=editor, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    refused = [n for n, o in outcomes.items() if isinstance(o, StaleEntryError)]
    assert len(refused) == 1 and store.read_current(built_kb.root) == "v000002"
    winner = 1 - refused[0]
    error = outcomes[refused[0]]
    assert isinstance(error, StaleEntryError) and error.current is not None
    assert error.current.answer == f"Réponse de l'éditeur {winner}."
    again = replace(error.current, answer=f"Réponse de l'éditeur {refused[0]}.")
    built_kb.publish(Changes(upserts=[again], expect={original.id: error.current}))
    published = next(e for e in built_kb.entries() if e.id == original.id)
    assert published.answer == f"Réponse de l'éditeur {refused[0]}."
