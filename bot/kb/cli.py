"""`python -m bot.kb …`: build, edit, search and inspect the knowledge base (measuring it:
`python -m bot.tools.kb …`).

add / update / delete edit the *published* corpus (the back office does the same through the
Python API) and publish a new version; they do not touch data/faq. `export` writes the published
corpus back to YAML when an edit should become part of the demo seed.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from bot.core.logs import configure as configure_logging

from .config import get_kb_settings
from .types import Changes, Entry, KBError


def _print(data: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    elif isinstance(data, list):
        for row in data:
            print("  ".join(f"{k}={v}" for k, v in row.items()))
    else:
        for key, value in data.items():
            print(f"{key}: {value}")


def _kb(args: argparse.Namespace) -> Any:
    from .service import KnowledgeBase

    overrides = {
        k: v
        for k, v in (("dir", args.kb_dir), ("faq_dir", args.faq_dir), ("encoder", args.encoder))
        if v
    }
    return KnowledgeBase(settings=get_kb_settings(**overrides))


def _entries_from_args(args: argparse.Namespace) -> list[Entry]:
    if args.file:
        from .corpus import load_yaml_entries

        return load_yaml_entries(Path(args.file))
    missing = [
        f"--{name}" for name in ("id", "topic", "question", "answer") if not getattr(args, name)
    ]
    if missing:
        raise SystemExit(f"give --file or all of {', '.join(missing)}")
    return [
        Entry.from_dict(
            {
                "id": args.id,
                "topic": args.topic,
                "question": args.question,
                "alternatives": args.alt or [],
                "answer": args.answer,
                "tags": args.tag or [],
            }
        )
    ]


def cmd_build(args: argparse.Namespace) -> int:
    report = _kb(args).build(progress=not args.json)
    _print(report.__dict__, args.json)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    kb = _kb(args)
    entries = _entries_from_args(args)
    existing = {e.id: e for e in kb.entries()}
    for entry in entries:
        if args.command == "add" and entry.id in existing:
            raise SystemExit(f"{entry.id} already exists: use update")
        if args.command == "update" and entry.id not in existing:
            raise SystemExit(f"{entry.id} does not exist: use add")
    # Published only if each entry is still as read here (absent for `add`): a concurrent
    # edit of the same entry is refused (StaleEntryError), never silently overwritten.
    expect = {e.id: existing.get(e.id) for e in entries}
    version = kb.publish(Changes(upserts=entries, expect=expect))
    _print({"version": version, "upserted": [e.id for e in entries]}, args.json)
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    version = _kb(args).delete(args.ids)
    _print({"version": version, "deleted": args.ids}, args.json)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    result = _kb(args).search(args.query, k=args.k)
    if args.json:
        _print(result.to_dict(), True)
        return 0
    print(
        f"outcome: {result.outcome}  confidence: {result.confidence:.3f}  version: {result.version}"
        f"  ({result.timings_ms.get('total', 0):.1f} ms)"
        f"{'  ' + result.reason if result.reason else ''}"
    )
    for rank, hit in enumerate(result.hits, 1):
        print(
            f"{rank}. [{hit.score:.3f}] {hit.id} ({hit.topic}) legs={'+'.join(hit.legs) or '-'} "
            f"dense={hit.dense_score:.3f} lexical={hit.lexical_score:.3f}\n   {hit.question}"
        )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    _print(_kb(args).stats(), args.json)
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    _print(_kb(args).list_versions(), args.json)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from .corpus import export_yaml

    written = export_yaml(_kb(args).entries(), Path(args.out))
    _print({"written": [str(p) for p in written]}, args.json)
    return 0


Command = Callable[[str, Any, str], argparse.ArgumentParser]


def command_line(prog: str, description: str | None) -> tuple[argparse.ArgumentParser, Command]:
    """The options every knowledge-base command line shares (this one and bot/tools/kb), and a
    function that adds a sub-command printing JSON with --json."""
    root = argparse.ArgumentParser(prog=prog, description=description)
    root.add_argument("--faq-dir", help="FAQ YAML folder (default <repo>/data/faq)")
    root.add_argument("--encoder", help="encoder name (default: the tuned one)")
    root.add_argument("-v", "--verbose", action="store_true")
    sub = root.add_subparsers(dest="command", required=True)

    def command(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    return root, command


def run(root: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    """Parse, run the sub-command; a knowledge-base error is one line and exit status 2."""
    args = root.parse_args(argv)
    configure_logging(logging.INFO if args.verbose else logging.WARNING)
    try:
        return int(args.func(args))
    except KBError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def parser() -> argparse.ArgumentParser:
    root, command = command_line("python -m bot.kb", __doc__)
    root.add_argument(
        "--kb-dir", help="published versions (default $COMPTOIR_KB_DIR or <repo>/kb_index)"
    )
    command("build", cmd_build, "publish data/faq as a new version")
    for name in ("add", "update"):
        p = command(name, cmd_edit, f"{name} entries from --file or flags and publish")
        p.add_argument("--file")
        p.add_argument("--id")
        p.add_argument("--topic")
        p.add_argument("--question")
        p.add_argument(
            "--alt", action="append", help="an alternative phrasing (repeat, at least 3)"
        )
        p.add_argument("--answer")
        p.add_argument("--tag", action="append")
    p = command("delete", cmd_delete, "delete entries by id and publish")
    p.add_argument("ids", nargs="+")
    p = command("search", cmd_search, "search one question")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=3)
    command("stats", cmd_stats, "what is in service")
    command("versions", cmd_versions, "published versions")
    p = command("export", cmd_export, "write the published corpus as YAML")
    p.add_argument("--out", required=True)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    return run(parser(), argv)
