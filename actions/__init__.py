"""Custom actions, one module per feature; rasa-sdk imports them all at start-up, so they
stay thin and do nothing at import time: no client is built, no thread started, no model loaded.

Their clients (shop, back office, knowledge base, wrong-proof counter) are wired in one place,
actions/services.py. The action server (bot/action_server) calls `on_server_start()` in each
worker before it serves.
"""

from __future__ import annotations


def on_server_start() -> None:
    """Ready the actions' clients before the first shopper (actions/services.py `start`): a
    wrong setting fails now, and with COMPTOIR_KB_WARM_UP=1 (the Procfile sets it) the
    knowledge base loads its encoder and index in the background instead of during the first
    question (≈ 3–4 s on 2 cores). A deployment that brings its own clients installs them
    here, before `start()`: `services.install(services.Services(shop=YourShopClient()))`."""
    from actions import services

    services.start()
