"""Command line of the demo shop: seed its database, list demo orders, serve its API.

python -m bot.demo_shop seed [--reset]          create (or re-create) the demo data
python -m bot.demo_shop demo-orders             orders to try in a conversation, as JSON lines
python -m bot.demo_shop serve [--port 8100]     run the API (it seeds an empty database itself)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clients.shop.models import Order, OrderStatus
from bot.core.logs import configure as configure_logging
from bot.core.private_files import private_umask
from bot.demo_shop import db, rules, seed
from bot.settings import get_settings


def _demo_rank(order: Order, today_ok: bool) -> int:
    """Most telling first: returnable now, then a refused item, then past the deadline."""
    if order.status != OrderStatus.DELIVERED:
        return 0
    if today_ok and not order.returns and all(item.returnable for item in order.items):
        return 0
    if today_ok and any(not item.returnable for item in order.items):
        return 1
    return 2 if not today_ok else 3


def demo_orders(session: Session, per_status: int) -> Iterator[dict]:
    """A deterministic choice of orders per status, with what a tester needs to prove them."""
    now = rules.shop_now()
    for status in OrderStatus:
        rows = session.scalars(
            select(db.OrderRow)
            .where(db.OrderRow.status == status.value)
            .options(*db.whole_orders())
            .order_by(db.OrderRow.number)
        ).all()
        ranked = []
        for row in rows:
            order = db.order_to_model(row, now, lambda rma: rma)
            in_window = order.return_deadline is not None and now.date() <= order.return_deadline
            # the longest time left to return first, so the demo survives a few days
            left = -order.return_deadline.toordinal() if order.return_deadline else 0
            ranked.append((_demo_rank(order, in_window), (left, row.number), row, order))
        ranked.sort(key=lambda r: r[:2])
        turns: dict[int, int] = {}  # round-robin over ranks: one of each kind before repeats
        keyed = []
        for entry in ranked:
            keyed.append((turns.get(entry[0], 0), entry[0], entry[1], entry))
            turns[entry[0]] = turns.get(entry[0], 0) + 1
        keyed.sort(key=lambda k: k[:3])
        for *_order_key, (_rank, _number, row, order) in keyed[:per_status]:
            yield {
                "number": row.number,
                "email": row.customer.email,
                "postcode": row.shipping_address.postcode,
                "status": status.value,
                "first_name": row.customer.first_name,
                "items": [
                    {"sku": i.sku, "name": i.name, "returnable": i.returnable} for i in order.items
                ],
            }


def _parser() -> argparse.ArgumentParser:
    settings = get_settings()
    parser = argparse.ArgumentParser(
        prog="python -m bot.demo_shop",
        description="Demo shop of Comptoir: a FastAPI + SQLite shop API with realistic French "
        "orders, so that the assistant runs on one machine.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    db_help = "SQLAlchemy URL of the shop database (default: COMPTOIR_SHOP_DB_URL, %(default)s)"

    p = sub.add_parser(
        "seed",
        help="create the database and fill it with demo data",
        description="Create the schema and the demo data if the database is "
        "empty. Names, e-mails and numbers are the same on every "
        "run; dates are relative to today.",
    )
    p.add_argument("--db", default=settings.shop_db_url, help=db_help)
    p.add_argument(
        "--reset",
        action="store_true",
        help="drop everything first (dates move to today, the rest is identical)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=settings.shop_seed,
        help="random seed (default: COMPTOIR_SHOP_SEED, %(default)s)",
    )

    p = sub.add_parser(
        "demo-orders",
        help="print orders to try, one JSON object per line",
        description="Print demo orders as JSON lines (number, email, postcode, "
        "status, first_name, items): at least one per status, the "
        "delivered ones that can be returned first. Seeds an empty "
        "database first.",
    )
    p.add_argument("--db", default=settings.shop_db_url, help=db_help)
    p.add_argument(
        "--per-status",
        type=int,
        default=1,
        metavar="N",
        help="orders to print per status (default: %(default)s)",
    )

    p = sub.add_parser(
        "serve",
        help="run the shop API with uvicorn",
        description="Serve the demo shop API (docs at /docs). An empty "
        "database is created and seeded at start-up.",
    )
    p.add_argument(
        "--host",
        default=settings.shop_api_url.host or "127.0.0.1",
        help="interface to listen on (default: %(default)s)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=settings.shop_port,
        help="port to listen on (default: %(default)s)",
    )
    p.add_argument("--db", default=settings.shop_db_url, help=db_help)
    p.add_argument(
        "--log-level",
        default=settings.log_level.lower(),
        choices=["critical", "error", "warning", "info", "debug"],
        help="log level (default: COMPTOIR_LOG_LEVEL, %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    private_umask(args.db)  # the shop's database (customers' addresses): 0600
    if args.command == "serve":
        import uvicorn

        from bot.demo_shop.api import create_app

        configure_logging(args.log_level)
        uvicorn.run(
            create_app(args.db),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            log_config=None,
        )
        return 0
    engine = db.make_engine(args.db)
    try:
        if args.command == "seed":
            if args.reset:
                seed.reset_database(engine, args.seed)
                print(f"Base recréée : {args.db}")
            elif seed.ensure_seeded(engine, args.seed):
                print(f"Base créée et remplie : {args.db}")
            else:
                print(f"Base déjà remplie, rien à faire (--reset pour la recréer) : {args.db}")
            return 0
        if args.per_status < 1:
            print("--per-status doit valoir au moins 1", file=sys.stderr)
            return 2
        seed.ensure_seeded(engine, get_settings().shop_seed)
        with Session(engine) as session:
            for line in demo_orders(session, args.per_status):
                print(json.dumps(line, ensure_ascii=False))
        return 0
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
