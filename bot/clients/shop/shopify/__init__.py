"""Comptoir's adapter for Shopify shops (Admin GraphQL API): `ShopifyClient`.

client.py talks to the API (auth, cost-based throttling, errors, webhook signature), queries.py
holds the GraphQL documents, orders.py turns Shopify's order into Comptoir's.
"""

from bot.clients.shop.shopify.client import ShopifyClient

__all__ = ["ShopifyClient"]
