"""`python -m bot.tools.kb …`: measure the knowledge base (dev-set accuracy, held-out topics),
choose its encoder, fusion and thresholds, and benchmark its indexes. Building and editing it is
`python -m bot.kb …`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any, Sequence

from bot.kb.cli import _print
from bot.kb.config import get_kb_settings
from bot.kb.types import KBError


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.tools.kb.eval import DEV_FILE, SHOPPERS_FILE, evaluate

    overrides = {k: v for k, v in (("faq_dir", args.faq_dir), ("encoder", args.encoder)) if v}
    report = evaluate(
        get_kb_settings(**overrides),
        Path(args.dev or DEV_FILE),
        Path(args.shoppers or SHOPPERS_FILE),
    )
    if args.json:
        _print(report, True)
        return 0
    print(
        f"encoder {report['encoder']}  dev questions {report['dev_questions']}  "
        f"held-out faq items {report['shoppers_faq_items']}"
    )
    for method, row in report["methods"].items():
        print(
            f"  {method:8s} hit@1 {row['hit@1']:.3f}  hit@3 {row['hit@3']:.3f}  "
            f"MRR {row['mrr']:.3f}  "
            f"held-out topic acc {row.get('shoppers_faq_topic_acc', float('nan')):.3f}"
        )
    print(
        "  outcomes (hybrid):",
        json.dumps(report["methods"]["hybrid"]["outcomes"], ensure_ascii=False),
    )
    print("  latency (hybrid):", report.get("latency_hybrid"))
    return 0


def cmd_tune(args: argparse.Namespace) -> int:
    from bot.kb.encoders import ENCODERS
    from bot.tools.kb.tune import tune

    names = args.encoders.split(",") if args.encoders else list(ENCODERS)
    report = tune(names, write=args.write)
    _print(report if args.json else {"chosen": report["chosen"]}, args.json)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.tools.kb.bench import run_bench

    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [10_000, 100_000, 1_000_000]
    overrides = {k: v for k, v in (("faq_dir", args.faq_dir), ("encoder", args.encoder)) if v}
    print(
        json.dumps(
            run_bench(sizes, args.quick, get_kb_settings(**overrides)), ensure_ascii=False, indent=1
        )
    )
    return 0


def cmd_checksums(args: argparse.Namespace) -> int:
    from bot.kb.encoders import ENCODERS

    rows = {}
    for name, factory in ENCODERS.items():
        encoder = factory()
        encoder._verify = False  # type: ignore[attr-defined]
        rows[name] = encoder.checksum
    _print(rows, args.json)
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot.tools.kb", description=__doc__)
    root.add_argument("--faq-dir", help="FAQ YAML folder (default <repo>/data/faq)")
    root.add_argument("--encoder", help="encoder name (default: the tuned one)")
    root.add_argument("-v", "--verbose", action="store_true")
    sub = root.add_subparsers(dest="command", required=True)

    def command(name: str, func: Any, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.set_defaults(func=func)
        return p

    p = command("eval", cmd_eval, "dev-set metrics and held-out topic accuracy")
    p.add_argument("--dev")
    p.add_argument("--shoppers")
    p = command("tune", cmd_tune, "measure encoders, pick fusion and thresholds")
    p.add_argument("--encoders", help="comma-separated (default: all)")
    p.add_argument("--write", action="store_true", help="save the choice to bot/kb/tuning.json")
    p = command("bench", cmd_bench, "latency, build, publish-to-answer, ANN vs exact")
    p.add_argument("--sizes", help="comma-separated vector counts (default 10000,100000,1000000)")
    p.add_argument("--quick", action="store_true", help="tiny sizes, seconds (CI smoke test)")
    command("checksums", cmd_checksums, "weight checksums of the installed encoders")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except KBError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
