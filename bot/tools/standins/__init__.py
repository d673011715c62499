"""Local stand-ins of the shop platforms' APIs (WooCommerce, PrestaShop, Shopify), for the
adapters' contract tests and for `make run COMPTOIR_SHOP=<platform>` on one machine.

Each speaks its platform's API as documented, over orders written in that platform's own
shapes; none is a shop: they exist because the real servers cannot run here.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def announce(env: dict[str, str], orders: list[dict[str, Any]], shown: int = 8) -> None:
    """Print what to export for Comptoir, and orders to try in a conversation."""
    print("Pour que Comptoir parle à ce stand-in, exportez :")
    for name, value in env.items():
        print(f"  export {name}={value}")
    print("Commandes à essayer (numéro, e-mail, code postal, statut) :")
    for order in orders[:shown]:
        print(f"  {order['number']:>10}  {order['email']}  {order['postcode']}  {order['status']}")


@contextmanager
def serving(app: Any, port: int = 0) -> Iterator[str]:
    """Serve an ASGI app under uvicorn in a thread on loopback; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    give_up = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > give_up or not thread.is_alive():
            raise RuntimeError("the stand-in did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
