"""The import rules of the layout (README "How the pieces fit"), read from the source.

Each package runs in a known process and Python; what it may import follows from that: the Rasa
server's code (Python 3.10) may not import the 3.11 side, the shared vocabulary imports nothing
of Comptoir's, and nothing in production imports the tooling or the demo shop.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Package -> the Comptoir packages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "bot.core": set(),
    "bot.nlu": {"bot.core"},
    "bot.rasa": {"bot.core", "bot.nlu"},
    "bot.settings": {"bot.core", "bot.kb"},
    "bot.clients": {"bot.core", "bot.settings"},
    "bot.kb": {"bot.core"},
    "bot.catalogue": {"bot.core", "bot.kb", "bot.clients"},
    "bot.dialogue": {"bot.core", "bot.clients", "bot.settings"},
    "bot.action_server": {"bot.core", "bot.settings"},
    "actions": {
        "bot.core",
        "bot.clients",
        "bot.dialogue",
        "bot.kb",
        "bot.catalogue",
        "bot.settings",
    },
    "bot.backoffice": {
        "bot.core",
        "bot.clients",
        "bot.dialogue",
        "bot.kb",
        "bot.settings",
        "bot.privacy",
    },
    "bot.privacy": {"bot.core", "bot.settings", "bot.backoffice"},
    "bot.demo_shop": {"bot.core", "bot.clients", "bot.settings", "bot.catalogue"},
    "bot.web": {"bot.core", "bot.clients", "bot.demo_shop", "bot.settings"},
    "bot.tools": {
        "bot.core",
        "bot.nlu",
        "bot.kb",
        "bot.clients",
        "bot.settings",
        "bot.dialogue",
        "bot.backoffice",
        "bot.catalogue",
    },
}
# Third-party packages the shared vocabulary may use: pinned in both requirements files.
CORE_THIRD_PARTY = {"numpy", "vaderSentiment_fr"}


def package_of(module: str) -> str | None:
    for package in sorted(ALLOWED, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module the file imports, relative imports resolved, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from bot import kb` imports the package bot.kb.
            found += [
                (node.lineno, f"{target}.{alias.name}")
                for alias in node.names
                if package_of(f"{target}.{alias.name}")
            ]
    return found


def sources() -> list[Path]:
    files = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "actions").rglob("*.py"))
    return [f for f in files if "migrations" not in f.parts]


def test_every_module_has_a_home() -> None:
    homeless = [
        module_name(f)
        for f in sources()
        if module_name(f) != "bot" and package_of(module_name(f)) is None
    ]
    assert not homeless, f"add these to the layout (README, ALLOWED): {homeless}"


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layout(path: Path) -> None:
    own = package_of(module_name(path))
    if own is None:
        return
    wrong = []
    for line, target in imports_of(path):
        other = package_of(target)
        if other is not None and other != own and other not in ALLOWED[own]:
            wrong.append(f"line {line}: {target}")
        if own == "bot.core" and other is None and target != "bot":
            top = target.split(".")[0]
            if top not in sys.stdlib_module_names and top not in CORE_THIRD_PARTY:
                wrong.append(f"line {line}: {target} (bot.core is standard library only)")
    assert not wrong, f"{own} may import only {sorted(ALLOWED[own])}: {wrong}"


def test_the_rules_can_fail(tmp_path: Path) -> None:
    """The checker sees a forbidden import, relative or absolute (a guard against a rule that
    silently passes)."""
    probe = ROOT / "bot" / "rasa" / "policies" / "_probe_for_test.py"
    assert [t for _, t in imports_of(ROOT / "bot" / "kb" / "cli.py") if t.startswith("bot.kb.")], (
        "relative imports must resolve"
    )
    try:
        probe.write_text("from bot.settings import get_settings\nfrom ...kb import service\n")
        targets = [t for _, t in imports_of(probe)]
        assert "bot.settings" in targets and "bot.kb.service" in targets
        with pytest.raises(AssertionError, match="bot.settings"):
            test_imports_follow_the_layout(probe)
    finally:
        probe.unlink(missing_ok=True)
