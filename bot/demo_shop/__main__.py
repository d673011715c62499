"""Command line of the demo shop: seed its database, list demo orders, serve its API.

python -m bot.demo_shop seed [--reset]          create (or re-create) the demo data
python -m bot.demo_shop demo-orders             orders to try in a conversation, as JSON lines
python -m bot.demo_shop serve [--port 8100]     run the API (it seeds an empty database itself)
python -m bot.demo_shop delay CM123456 [--days 3]  make a parcel late and tell Comptoir
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

import requests
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.clients.shop.models import Order, OrderStatus
from bot.core.logs import configure as configure_logging
from bot.core.private_files import private_umask
from bot.demo_shop import db, delays, rules, seed
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


def _delay(engine: Engine, number: str, days: int, url: str) -> int:
    if days < 1:
        print("--days doit valoir au moins 1", file=sys.stderr)
        return 2
    with Session(engine) as session:
        try:
            event = delays.delay(session, number, days)
        except delays.CannotDelay as error:
            print(f"Impossible : {error}.", file=sys.stderr)
            return 1
    print(
        f"Commande {event.order_number} en retard : livraison prévue le {event.expected_delivery}."
    )
    try:
        status = delays.send(event, url, get_settings().secret("shop_webhook_secret"))
    except requests.RequestException as error:
        print(f"Comptoir n'a pas reçu l'événement ({url}) : {error}", file=sys.stderr)
        return 1
    if status >= 300:
        print(f"Comptoir a refusé l'événement ({url}) : HTTP {status}", file=sys.stderr)
        return 1
    print("Comptoir prévient les clients qui ont suivi cette commande.")
    return 0


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
        "delay",
        help="make a parcel late and send the signed event to Comptoir",
        description="Mark an order on its way as late (its expected date moves by --days) "
        "and send the signed 'order.delayed' event to the back office's webhook, which tells "
        "the shoppers who asked about the order.",
    )
    p.add_argument("number", help="the order number, e.g. CM123456")
    p.add_argument("--days", type=int, default=3, help="days of delay (default: %(default)s)")
    p.add_argument("--db", default=settings.shop_db_url, help=db_help)
    p.add_argument(
        "--to",
        default=f"{str(settings.backoffice_url).rstrip('/')}/api/webhooks/shop",
        help="Comptoir's webhook (default: the back office's, %(default)s)",
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
        if args.command == "delay":
            return _delay(engine, args.number, args.days, args.to)
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
