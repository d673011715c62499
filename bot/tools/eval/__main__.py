"""python -m bot.tools.eval routes FILE.jsonl [--rasa-url URL --token T] [--out-json P --out-md P]
python -m bot.tools.eval report [--file FILE.jsonl] [--smoke] [--no-stories] [--no-kb]
    [--no-products]

The last line printed on stdout is the JSON summary; progress goes to stderr."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.tools.bench.stack import StackError
from bot.tools.cli import run_json_command
from bot.tools.processes import stop_group

from .end_to_end import running_stack
from .products import evaluate_products_e2e, prepare_catalogue_vectors
from .rasa_server import MODEL, ROOT, Parser, RasaUnavailable, parser_for
from .runner import (
    REPORTS,
    SHOPPERS_FILE,
    SMOKE_STORIES,
    STORIES,
    agreement,
    evaluate_routes,
    evaluate_routes_e2e,
    kb_metrics,
    markdown,
    story_result,
    story_tests,
)

SMOKE_ITEMS = 10
SMOKE_FILE = Path(__file__).with_name("smoke_fr.jsonl")  # written for this project, not held-out


def log(message: str) -> None:
    print(f"[bot.tools.eval] {message}", file=sys.stderr, flush=True)


def write(summary: dict[str, Any], out_json: Path | None, out_md: Path | None) -> None:
    for path, text in (
        (out_json, json.dumps(summary, ensure_ascii=False, indent=2)),
        (out_md, markdown(summary)),
    ):
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + "\n", encoding="utf-8")
            log(f"wrote {path}")


def model_info() -> dict[str, Any]:
    """Which trained model was evaluated (when this run started its own server)."""
    if not MODEL.is_file():
        return {}
    return {
        "path": str(MODEL.relative_to(ROOT)),
        "bytes": MODEL.stat().st_size,
        "modified": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(MODEL.stat().st_mtime)),
    }


def cmd_routes(args: argparse.Namespace) -> dict[str, Any]:
    with parser_for(args.rasa_url, args.token, log=log) as parse:
        routes, _ = evaluate_routes(Path(args.file), parse, args.limit)
        routes["rasa"] = {"url": parse.url, "model": parse.model}
    summary = {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "model": model_info(),
        "routes": routes,
    }
    write(summary, args.out_json, args.out_md)
    return {k: routes[k] for k in ("n", "accuracy", "per_route")}


def both_modes(path: Path, limit: int | None, products: bool = True) -> dict[str, Any]:
    """End-to-end routes on a throw-away stack, and the NLU-derived routes from the same Rasa
    server, with their agreement; then the product dev set through the same stack."""
    if products:
        prepare_catalogue_vectors(log)
    with running_stack(log) as conversations:
        log(f"end to end: {path}" + (f" (first {limit})" if limit else ""))
        e2e, e2e_predicted = evaluate_routes_e2e(path, conversations.route, limit, log)
        parse = Parser(conversations.url, conversations.token)
        assert parse.ready(), "the stack's Rasa server stopped answering"
        log("the same messages through the NLU parse alone")
        nlu, nlu_predicted = evaluate_routes(path, parse, limit)
        summary = {
            "routes_e2e": e2e,
            "routes": nlu,
            "agreement": agreement(e2e_predicted, nlu_predicted),
        }
        if products:
            log("product questions of the dev set, end to end")
            summary["products_e2e"] = evaluate_products_e2e(
                lambda text, number: conversations.ask(text, number, "-product"), limit=limit
            )
    return summary


def cmd_report(args: argparse.Namespace) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "smoke": args.smoke,
        "model": model_info(),
    }
    stories_process = None
    tmp = tempfile.TemporaryDirectory(prefix="eval-smoke-")
    try:
        if not args.no_stories:  # slow (loads the model): run beside the rest
            stories_process = story_tests(SMOKE_STORIES if args.smoke else STORIES)
        limit = SMOKE_ITEMS if args.smoke else None
        if args.file is None:
            args.file = SMOKE_FILE if args.smoke else SHOPPERS_FILE
        summary.update(both_modes(Path(args.file), limit, products=not args.no_products))
        if not args.no_kb:
            log("knowledge-base retrieval metrics")
            dev = None
            if args.smoke:  # a handful of dev questions, no held-out file, no latency
                from bot.tools.kb.eval import DEV_FILE

                dev = Path(tmp.name) / "dev.jsonl"
                dev.write_text("\n".join(DEV_FILE.read_text().splitlines()[:SMOKE_ITEMS]) + "\n")
            summary["kb"] = kb_metrics(
                dev,
                Path(tmp.name) / "none.jsonl" if args.smoke else SHOPPERS_FILE,
                with_latency=not args.smoke,
            )
        if stories_process is not None:
            log("waiting for the story tests")
            summary["stories"] = story_result(stories_process)
            stories_process = None
    finally:
        if stories_process is not None and stories_process.poll() is None:
            stop_group(stories_process, timeout=30)
        if stories_process is not None:
            shutil.rmtree(stories_process.out_dir, ignore_errors=True)  # type: ignore[attr-defined]
        tmp.cleanup()
    write(summary, args.out_json, args.out_md)
    return compact(summary)


def compact(summary: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("routes_e2e", "routes"):
        if key in summary:
            out[key] = {k: summary[key][k] for k in ("n", "accuracy", "per_route")}
    if "agreement" in summary:
        out["agreement"] = summary["agreement"]
    if "products_e2e" in summary:
        out["products_e2e"] = {k: summary["products_e2e"][k] for k in ("n", "hit@1", "hit@3")}
    if "kb" in summary:
        out["kb"] = {
            m: {k: row.get(k) for k in ("hit@1", "hit@3", "mrr")}
            for m, row in summary["kb"].get("methods", {}).items()
        }
    if "stories" in summary:
        out["stories"] = {
            k: summary["stories"].get(k)
            for k in ("conversation_accuracy", "action_accuracy", "error")
            if k in summary["stories"]
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--rasa-url",
            default=None,
            help="Rasa server to use if it answers (default http://127.0.0.1:5005); "
            "else one is started from models/comptoir.tar.gz",
        )
        p.add_argument(
            "--token",
            default=None,
            help="its API token (default COMPTOIR_RASA_TOKEN or var/rasa_token)",
        )

    routes = sub.add_parser("routes", help="route accuracy on a labelled jsonl file")
    routes.add_argument("file")
    server_options(routes)
    routes.add_argument("--limit", type=int, default=None, help="only the first N items")
    routes.add_argument("--out-json", type=Path, default=None)
    routes.add_argument("--out-md", type=Path, default=None)

    report = sub.add_parser(
        "report",
        help="routes (end to end on a throw-away stack, and from "
        "the NLU parse) + knowledge base + story tests → reports/",
    )
    report.add_argument(
        "--file",
        default=None,
        help=f"labelled jsonl (default {SHOPPERS_FILE}; with --smoke "
        f"the project's own {SMOKE_FILE.name})",
    )
    report.add_argument(
        "--smoke",
        action="store_true",
        help=f"{SMOKE_ITEMS} items, {SMOKE_ITEMS} KB dev questions, one story file",
    )
    report.add_argument("--no-stories", action="store_true")
    report.add_argument("--no-kb", action="store_true")
    report.add_argument(
        "--no-products", action="store_true", help="skip the product dev set (end to end)"
    )
    report.add_argument("--out-json", type=Path, default=REPORTS / "eval.json")
    report.add_argument("--out-md", type=Path, default=REPORTS / "eval.md")

    args = parser.parse_args(argv)
    command = cmd_routes if args.command == "routes" else cmd_report
    return run_json_command(lambda: command(args), (RasaUnavailable, StackError), log)


if __name__ == "__main__":
    sys.exit(main())
