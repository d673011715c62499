"""The shop client the settings choose (COMPTOIR_SHOP): the demo shop's, or a platform's.

Each adapter is imported only when chosen, so that a shop on one platform never loads, nor
needs the settings of, the others.
"""

from __future__ import annotations

from importlib import import_module

from bot.clients.shop.contract import ShopClient
from bot.settings import Settings, get_settings

# COMPTOIR_SHOP value -> "module:class" of its client; each class has from_settings(settings).
CLIENTS = {
    "demo": "bot.clients.shop.http:HttpShopClient",
    "woocommerce": "bot.clients.shop.woocommerce:WooCommerceClient",
    "prestashop": "bot.clients.shop.prestashop:PrestaShopClient",
    "shopify": "bot.clients.shop.shopify:ShopifyClient",
}


def shop_client(settings: Settings | None = None) -> ShopClient:
    """A new client for the platform the settings name."""
    s = settings or get_settings()
    module, name = CLIENTS[s.shop].split(":")
    client: ShopClient = getattr(import_module(module), name).from_settings(s)
    return client
