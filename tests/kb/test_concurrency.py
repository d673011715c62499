"""Concurrent publishers never tear the index: every change lands, versions increase."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from bot.kb import store
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
