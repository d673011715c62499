"""The processes that use the knowledge base (back office, actions) import `bot.kb` only, never
its modules; what they need is exported there, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import bot.kb
from tests.test_layout import ROOT, imports_of, module_name

CLIENTS = ("bot/backoffice", "actions")
KB = ROOT / "bot" / "kb"


def kb_modules(path: Path) -> list[str]:
    """The modules of bot.kb a file imports (`bot.kb.publisher`), not the names the package
    exports (`from bot.kb import Entry` is `bot.kb.Entry` to the layout checker)."""
    found = []
    for line, target in imports_of(path):
        parts = target.split(".")
        if parts[:2] == ["bot", "kb"] and len(parts) > 2:
            if (KB / f"{parts[2]}.py").is_file() or (KB / parts[2]).is_dir():
                found.append(f"line {line}: bot.kb.{parts[2]}")
    return list(dict.fromkeys(found))


def client_sources() -> list[Path]:
    return [
        path
        for folder in CLIENTS
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
    ]


@pytest.mark.parametrize("path", client_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_clients_import_bot_kb_not_its_modules(path: Path) -> None:
    inner = kb_modules(path)
    assert not inner, f"{module_name(path)} reaches into bot.kb's modules (use `bot.kb`): {inner}"


def test_the_check_sees_an_import_of_a_module() -> None:
    """Checked on the KB tooling, which may use the modules (no probe file written into the
    tree): `from bot.kb import index` and `from bot.kb.config import …` are both seen."""
    bench = ROOT / "bot" / "tools" / "kb" / "bench.py"
    found = kb_modules(bench)
    assert any(f.endswith(": bot.kb.index") for f in found)
    assert any(f.endswith(": bot.kb.config") for f in found)
    with pytest.raises(AssertionError, match="reaches into bot.kb's modules"):
        test_clients_import_bot_kb_not_its_modules(bench)


def test_everything_exported_resolves() -> None:
    for name in bot.kb.__all__:
        assert getattr(bot.kb, name) is not None, name
    assert bot.kb.KnowledgeBase.publish and bot.kb.KnowledgeBase.entries


def test_importing_bot_kb_loads_nothing_heavy() -> None:
    """numpy, FAISS and pydantic wait until a KnowledgeBase or its settings are first used."""
    code = (
        "import sys; from bot.kb import Changes, Entry, KBError, Problem, StaleEntryError; "
        "print(sorted(m for m in ('numpy', 'faiss', 'pydantic') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"
