"""The shop contract: `contract.ShopClient` (what the actions may ask of any shop), `models` (the
wire format) and `http.HttpShopClient` (the contract over the demo shop's HTTP API).
A platform adapter (WooCommerce, PrestaShop, Shopify) implements `ShopClient` beside it."""
