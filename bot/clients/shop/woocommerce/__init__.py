"""`ShopClient` over the WooCommerce REST API v3 (/wp-json/wc/v3/), and its delay webhook.

Followed (woocommerce/woocommerce-rest-api-docs, source/includes/wp-api-v3/): _authentication.md
(consumer key and secret as HTTP Basic auth over HTTPS), _introduction.md (errors
{"code", "message", "data": {"status"}}, pagination by page/per_page with X-WP-Total and
X-WP-TotalPages), _orders.md (GET/PUT /orders/<id>), _order-refunds.md (GET /orders/<id>/refunds),
_shipping-zones.md, _shipping-zone-locations.md, _shipping-zone-methods.md, _webhooks.md
(X-WC-Webhook-Signature = base64 HMAC-SHA256 of the raw body). WooCommerce's
class-wc-rest-authentication.php and class-wc-webhook.php for the exact error codes, the
delivery id (a fresh hash per delivery) and the unsigned ping sent when a webhook is saved.
woocommerce.com/document/shipment-tracking (and its REST API pages) for the tracking items.

What WooCommerce core does not say, and how this adapter reads it (documented for the shop):

- Shipping and tracking: the WooCommerce Shipment Tracking extension's order meta
  `_wc_shipment_tracking_items` (tracking_provider, custom_tracking_provider,
  custom_tracking_link, tracking_number, date_shipped as a Unix time); the latest item counts.
- Status: `processing` is paid and awaiting fulfilment (PAID), or PREPARING once a tracking
  number exists (label printed, the parcel leaves when the shop marks the order `completed`);
  `completed` means fulfilled, i.e. shipped. `pending` and `on-hold` (payment not confirmed
  yet) are PAID too: the order model has no "awaiting payment" status. `failed` is CANCELLED;
  `refunded` is RETURNED once it had shipped, else CANCELLED; `checkout-draft` and `trash` are
  not orders a shopper placed (OrderNotFound). The Advanced Shipment Tracking plugin's custom
  statuses `shipped`, `partial-shipped` and `delivered` are understood (for `delivered`
  without the meta below, the order's last modification stands for the delivery date).
- Delivery and delay, which WooCommerce core never learns: three order meta keys the shop (by
  hand in the order's custom fields, or a carrier plugin through a hook) writes:
  `comptoir_delivered_at` (YYYY-MM-DD, or ISO date-time) -> DELIVERED;
  `comptoir_delayed_until` (the new expected date YYYY-MM-DD, or "oui" when unknown) -> DELAYED
  once shipped (before shipping, the status stays and `Tracking.delayed` is set);
  `comptoir_expected_delivery` (YYYY-MM-DD) the promised date (else shipping date + the
  method's longest usual transit). A parcel is never declared delivered or late by guessing.
- Returns and claims: WooCommerce core has no return requests nor claims -> NotSupported
  (a person of the shop handles them). Items carry no "non-returnable" flag: `returnable`
  follows the order's state and the withdrawal period only. Cancelling does not refund a
  paid order (WooCommerce never does it on a status change): the shop refunds it.
- Delay notices: a webhook "Commande mise à jour" (topic order.updated, API v3) pointed at the
  back office, its secret in COMPTOIR_WOOCOMMERCE_WEBHOOK_SECRET.

Layout: orders.py reads WooCommerce's JSON (pure functions), client.py makes the calls.
"""

from bot.clients.shop.woocommerce.client import WooCommerceClient
from bot.clients.shop.woocommerce.orders import DELAYED_META, DELIVERED_META, EXPECTED_META

__all__ = ["WooCommerceClient", "DELAYED_META", "DELIVERED_META", "EXPECTED_META"]
