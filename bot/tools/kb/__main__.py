"""`python -m bot.tools.kb …`: measure the knowledge base (dev-set accuracy, held-out topics),
choose its encoder, fusion and thresholds, and benchmark its indexes. Building and editing it is
`python -m bot.kb …`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from bot.kb.cli import _print, command_line, run
from bot.kb.config import get_kb_settings


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
    root, command = command_line("python -m bot.tools.kb", __doc__)
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
    return run(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
