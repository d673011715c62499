"""A local stand-in of the Shopify Admin GraphQL API, for the Shopify adapter's contract tests
and for running Comptoir against "a Shopify shop" on one machine.

It speaks the API as documented, and nothing more:

- POST /admin/api/{version}/graphql.json with the header X-Shopify-Access-Token; a wrong or
  missing token answers 401 with Shopify's `{"errors": "[API] Invalid API key or access token
  (unrecognized login or wrong password)"}` (https://shopify.dev/docs/api/admin-graphql —
  "Authentication"; https://shopify.dev/docs/api/usage/response-codes).
- Every query is parsed and VALIDATED against a schema subset written from Shopify's reference
  pages (objects Order, LineItem, Fulfillment, FulfillmentEvent, FulfillmentTrackingInfo,
  Refund, Return, MailingAddress, MoneyBag, DeliveryProfile...; enums
  OrderDisplayFinancialStatus, OrderDisplayFulfillmentStatus, FulfillmentDisplayStatus,
  FulfillmentEventStatus, ReturnStatus, ReturnReason; mutations orderCancel (payload `job`,
  `orderCancelUserErrors`, deprecated `userErrors`), orderUpdate, returnRequest), so a field
  the adapter asks for and Shopify does not have fails like it would on Shopify: HTTP 200
  with `errors` and no `data`.
- Connections (`first`/`after`, `nodes`, `edges`, `pageInfo { hasNextPage endCursor }`) refuse
  a request with neither `first` nor `last`, and more than 250 (docs "Paginating results with
  GraphQL", https://shopify.dev/docs/api/usage/pagination-graphql).
- `orders(first:, query: "name:#1001")` finds an order by its name (search syntax,
  https://shopify.dev/docs/api/usage/search-syntax).
- Rate limits as documented on https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits:
  every answer carries `extensions.cost` with `throttleStatus { maximumAvailable
  currentlyAvailable restoreRate }`; a throttled query answers `errors: [{message: "Throttled",
  extensions: {code: "THROTTLED"}}]`.

Pages followed (shopify.dev, Admin GraphQL API 2025-07 unless said): objects Order, LineItem,
Fulfillment, FulfillmentEvent, FulfillmentTrackingInfo, Refund, Return, MailingAddress,
DeliveryProfile, DeliveryLocationGroupZone, DeliveryMethodDefinition, DeliveryRateDefinition,
DeliveryCondition (docs/api/admin-graphql/2025-07/objects/...); enums FulfillmentEventStatus
(2025-07 has DELAYED, not yet CARRIER_PICKED_UP), FulfillmentDisplayStatus,
OrderDisplayFulfillmentStatus, OrderDisplayFinancialStatus, ReturnReason, ReturnStatus;
mutations orderCancel + OrderCancelPayload/OrderCancelUserError, orderUpdate + OrderInput,
returnRequest + ReturnRequestInput/ReturnRequestLineItemInput (docs/api/admin-graphql/2025-07/
mutations/...); webhooks: topic fulfillment_events/create, HMAC verification
(docs/apps/build/webhooks/subscribe/https), the REST FulfillmentEvent shape of its payload.

Products (queries products, product, productVariants, deletionEvents; issue 18): see
bot/tools/standins/shopify_catalogue.py.

Orders are built deterministically, relative to the day the app is created, in Shopify's own
JSON shapes: 26 orders #1001-#1026, at least 4 in each situation (paid, preparing, shipped,
delivered recently, late, cancelled) and one returned and refunded. `demo_orders()` says what
the adapter should make of each.

Fault injection (tests, demos): append to `app.state.faults`, or POST the same JSON to
`/__standin__/faults` (no token needed; loopback only):
  {"status": 429, "count": 2, "retry_after": 0.2}   next 2 calls: HTTP 429 + Retry-After
  {"status": 503, "count": 5}                        next 5 calls: HTTP 503
  {"throttled": 1, "available": 10, "restore_rate": 100}   next call: GraphQL THROTTLED
`app.state.cancel_refusals` (a set of order names) makes orderCancel answer an
OrderCancelUserError for those orders; `app.state.calls` counts GraphQL calls received.

Run: `python -m bot.tools.standins.shopify --port 8091` (prints the variables to export).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from graphql import (
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    build_schema,
    graphql_sync,
)

from bot.tools.standins import announce, shopify_catalogue

TOKEN = "shpat_standin_comptoir"
WEBHOOK_SECRET = "standin-shopify-webhook-secret"
API_VERSION = "2025-07"
MAX_PAGE = 250
BUCKET = 2000.0  # maximumAvailable, as on Shopify Plus
RESTORE_RATE = 100.0  # points per second
UNAUTHORIZED = "[API] Invalid API key or access token (unrecognized login or wrong password)"

SDL = """
schema { query: QueryRoot mutation: Mutation }

scalar DateTime
scalar Decimal
scalar URL
scalar UnsignedInt64

enum CurrencyCode { EUR }
enum CountryCode { FR BE CH LU MC }
enum WeightUnit { GRAMS KILOGRAMS OUNCES POUNDS }

type PageInfo {
  hasNextPage: Boolean!
  hasPreviousPage: Boolean!
  startCursor: String
  endCursor: String
}

type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { shopMoney: MoneyV2! presentmentMoney: MoneyV2! }
type Weight { unit: WeightUnit! value: Float! }

type MailingAddress {
  id: ID!
  firstName: String
  lastName: String
  name: String
  company: String
  address1: String
  address2: String
  city: String
  province: String
  zip: String
  country: String
  countryCodeV2: CountryCode
  phone: String
}

type Customer { id: ID! firstName: String lastName: String displayName: String! }

type Product { id: ID! title: String! productType: String! }

type LineItem {
  id: ID!
  name: String!
  title: String!
  sku: String
  quantity: Int!
  currentQuantity: Int!
  refundableQuantity: Int!
  requiresShipping: Boolean!
  originalUnitPriceSet: MoneyBag!
  product: Product
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }

type FulfillmentTrackingInfo { company: String number: String url: URL }

enum FulfillmentStatus { CANCELLED ERROR FAILURE SUCCESS OPEN PENDING }
enum FulfillmentDisplayStatus {
  ATTEMPTED_DELIVERY CANCELED CARRIER_PICKED_UP CONFIRMED DELAYED DELIVERED FAILURE FULFILLED
  IN_TRANSIT LABEL_PRINTED LABEL_PURCHASED LABEL_VOIDED MARKED_AS_FULFILLED NOT_DELIVERED
  OUT_FOR_DELIVERY PICKED_UP READY_FOR_PICKUP SUBMITTED
}
enum FulfillmentEventStatus {
  ATTEMPTED_DELIVERY CONFIRMED DELAYED DELIVERED FAILURE IN_TRANSIT LABEL_PRINTED
  LABEL_PURCHASED OUT_FOR_DELIVERY READY_FOR_PICKUP
}
enum FulfillmentEventSortKeys { HAPPENED_AT ID }

type FulfillmentEvent {
  id: ID!
  status: FulfillmentEventStatus!
  happenedAt: DateTime!
  createdAt: DateTime!
  message: String
  address1: String
  city: String
  province: String
  zip: String
  country: String
  estimatedDeliveryAt: DateTime
}
type FulfillmentEventEdge { cursor: String! node: FulfillmentEvent! }
type FulfillmentEventConnection {
  edges: [FulfillmentEventEdge!]!
  nodes: [FulfillmentEvent!]!
  pageInfo: PageInfo!
}

type FulfillmentLineItem { id: ID! quantity: Int lineItem: LineItem! }
type FulfillmentLineItemEdge { cursor: String! node: FulfillmentLineItem! }
type FulfillmentLineItemConnection {
  edges: [FulfillmentLineItemEdge!]!
  nodes: [FulfillmentLineItem!]!
  pageInfo: PageInfo!
}

type Fulfillment {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  status: FulfillmentStatus!
  displayStatus: FulfillmentDisplayStatus
  createdAt: DateTime!
  updatedAt: DateTime!
  inTransitAt: DateTime
  deliveredAt: DateTime
  estimatedDeliveryAt: DateTime
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
  events(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
         sortKey: FulfillmentEventSortKeys = ID): FulfillmentEventConnection!
  fulfillmentLineItems(first: Int, after: String, last: Int, before: String,
                       reverse: Boolean = false): FulfillmentLineItemConnection!
}

type Refund {
  id: ID!
  legacyResourceId: UnsignedInt64!
  createdAt: DateTime
  updatedAt: DateTime!
  note: String
  totalRefundedSet: MoneyBag!
}

enum ReturnStatus { CANCELED CLOSED DECLINED OPEN REQUESTED }
type Return { id: ID! name: String! status: ReturnStatus! order: Order! totalQuantity: Int! }
type ReturnEdge { cursor: String! node: Return! }
type ReturnConnection { edges: [ReturnEdge!]! nodes: [Return!]! pageInfo: PageInfo! }

type ShippingLine {
  id: ID
  title: String!
  code: String
  carrierIdentifier: String
  source: String
  originalPriceSet: MoneyBag!
}

enum OrderDisplayFinancialStatus {
  AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED
}
enum OrderDisplayFulfillmentStatus {
  FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT REQUEST_DECLINED
  RESTOCKED SCHEDULED UNFULFILLED
}
enum OrderCancelReason { CUSTOMER DECLINED FRAUD INVENTORY OTHER STAFF }

type Order {
  id: ID!
  legacyResourceId: UnsignedInt64!
  name: String!
  email: String
  phone: String
  createdAt: DateTime!
  processedAt: DateTime!
  updatedAt: DateTime!
  cancelledAt: DateTime
  cancelReason: OrderCancelReason
  closed: Boolean!
  closedAt: DateTime
  confirmed: Boolean!
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus!
  customer: Customer
  shippingAddress: MailingAddress
  billingAddress: MailingAddress
  shippingLine: ShippingLine
  statusPageUrl: URL!
  totalPriceSet: MoneyBag!
  currentTotalPriceSet: MoneyBag!
  note: String
  lineItems(first: Int, after: String, last: Int, before: String,
            reverse: Boolean = false): LineItemConnection!
  fulfillments(first: Int): [Fulfillment!]!
  refunds(first: Int): [Refund!]!
  returns(first: Int, after: String, last: Int, before: String, reverse: Boolean = false,
          query: String): ReturnConnection!
}
type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
enum OrderSortKeys { CREATED_AT ID ORDER_NUMBER PROCESSED_AT UPDATED_AT }

type DeliveryRateDefinition { id: ID! price: MoneyV2! }
type DeliveryParticipant { id: ID! fixedFee: MoneyV2 percentageOfRateFee: Float! }
union DeliveryRateProvider = DeliveryRateDefinition | DeliveryParticipant
enum DeliveryConditionField { TOTAL_PRICE TOTAL_WEIGHT }
enum DeliveryConditionOperator { GREATER_THAN_OR_EQUAL_TO LESS_THAN_OR_EQUAL_TO }
union DeliveryConditionCriteria = MoneyV2 | Weight
type DeliveryCondition {
  id: ID!
  field: DeliveryConditionField!
  operator: DeliveryConditionOperator!
  conditionCriteria: DeliveryConditionCriteria!
}
enum DeliveryMethodDefinitionType { MERCHANT PARTICIPANT }
type DeliveryMethodDefinition {
  id: ID!
  name: String!
  active: Boolean!
  description: String
  rateProvider: DeliveryRateProvider!
  methodConditions: [DeliveryCondition!]!
}
type DeliveryMethodDefinitionEdge { cursor: String! node: DeliveryMethodDefinition! }
type DeliveryMethodDefinitionConnection {
  edges: [DeliveryMethodDefinitionEdge!]!
  nodes: [DeliveryMethodDefinition!]!
  pageInfo: PageInfo!
}
type DeliveryCountryCodeOrRestOfWorld { countryCode: CountryCode restOfWorld: Boolean! }
type DeliveryCountry { id: ID! name: String! code: DeliveryCountryCodeOrRestOfWorld! }
type DeliveryZone { id: ID! name: String! countries: [DeliveryCountry!]! }
type DeliveryLocationGroupZone {
  zone: DeliveryZone!
  methodDefinitions(first: Int, after: String, last: Int, before: String,
                    eligible: Boolean, type: DeliveryMethodDefinitionType,
                    reverse: Boolean = false): DeliveryMethodDefinitionConnection!
}
type DeliveryLocationGroupZoneEdge { cursor: String! node: DeliveryLocationGroupZone! }
type DeliveryLocationGroupZoneConnection {
  edges: [DeliveryLocationGroupZoneEdge!]!
  nodes: [DeliveryLocationGroupZone!]!
  pageInfo: PageInfo!
}
type DeliveryProfileLocationGroup {
  locationGroupZones(first: Int, after: String, last: Int, before: String,
                     reverse: Boolean = false): DeliveryLocationGroupZoneConnection!
}
type DeliveryProfile {
  id: ID!
  name: String!
  default: Boolean!
  profileLocationGroups: [DeliveryProfileLocationGroup!]!
}
type DeliveryProfileEdge { cursor: String! node: DeliveryProfile! }
type DeliveryProfileConnection {
  edges: [DeliveryProfileEdge!]!
  nodes: [DeliveryProfile!]!
  pageInfo: PageInfo!
}

type QueryRoot {
  order(id: ID!): Order
  orders(first: Int, after: String, last: Int, before: String, query: String,
         reverse: Boolean = false, sortKey: OrderSortKeys = ID): OrderConnection!
  deliveryProfiles(first: Int, after: String, last: Int, before: String,
                   merchantOwnedOnly: Boolean, reverse: Boolean = false): DeliveryProfileConnection!
}

type Job { id: ID! done: Boolean! }
type UserError { field: [String!] message: String! }
enum OrderCancelUserErrorCode { INVALID NOT_FOUND NO_REFUND_PERMISSION }
type OrderCancelUserError { field: [String!] message: String! code: OrderCancelUserErrorCode }
type OrderCancelPayload {
  job: Job
  orderCancelUserErrors: [OrderCancelUserError!]!
  userErrors: [UserError!]!
}
input OrderCancelStoreCreditRefundInput { expiresAt: DateTime }
input OrderCancelRefundMethodInput {
  originalPaymentMethodsRefund: Boolean
  storeCreditRefund: OrderCancelStoreCreditRefundInput
}

input MailingAddressInput {
  address1: String
  address2: String
  city: String
  company: String
  countryCode: CountryCode
  firstName: String
  lastName: String
  phone: String
  provinceCode: String
  zip: String
}
input OrderInput {
  id: ID!
  email: String
  note: String
  tags: [String!]
  shippingAddress: MailingAddressInput
}
type OrderUpdatePayload { order: Order userErrors: [UserError!]! }

enum ReturnReason {
  COLOR DEFECTIVE NOT_AS_DESCRIBED OTHER SIZE_TOO_LARGE SIZE_TOO_SMALL STYLE UNKNOWN UNWANTED
  WRONG_ITEM
}
enum ReturnErrorCode {
  ALREADY_EXISTS BLANK CREATION_FAILED EQUAL_TO GREATER_THAN GREATER_THAN_OR_EQUAL_TO INCLUSION
  INTERNAL_ERROR INVALID INVALID_STATE LESS_THAN LESS_THAN_OR_EQUAL_TO NOT_A_NUMBER NOT_EDITABLE
  NOT_FOUND PRESENT TAKEN TOO_BIG TOO_LONG TOO_SHORT WRONG_LENGTH
}
type ReturnUserError { field: [String!] message: String! code: ReturnErrorCode }
input ReturnRequestLineItemInput {
  fulfillmentLineItemId: ID!
  quantity: Int!
  returnReason: ReturnReason!
  customerNote: String
}
input ReturnRequestInput { orderId: ID! returnLineItems: [ReturnRequestLineItemInput!]! }
type ReturnRequestPayload { return: Return userErrors: [ReturnUserError!]! }

type Mutation {
  orderCancel(orderId: ID!, notifyCustomer: Boolean = false, refund: Boolean,
              refundMethod: OrderCancelRefundMethodInput, restock: Boolean!,
              reason: OrderCancelReason!, staffNote: String): OrderCancelPayload
  orderUpdate(input: OrderInput!): OrderUpdatePayload
  returnRequest(input: ReturnRequestInput!): ReturnRequestPayload
}
"""

# -- fixtures --------------------------------------------------------------------------------

PEOPLE = [
    ("Camille", "Martin"), ("Léa", "Bernard"), ("Hugo", "Dubois"), ("Chloé", "Thomas"),
    ("Lucas", "Robert"), ("Manon", "Richard"), ("Louis", "Petit"), ("Inès", "Durand"),
    ("Jules", "Leroy"), ("Sarah", "Moreau"), ("Gabriel", "Simon"), ("Emma", "Laurent"),
    ("Arthur", "Lefèvre"), ("Jade", "Michel"), ("Raphaël", "Garcia"), ("Louise", "David"),
    ("Adam", "Bertrand"), ("Alice", "Roux"), ("Paul", "Vincent"), ("Zoé", "Fournier"),
    ("Nathan", "Morel"), ("Lina", "Girard"), ("Tom", "André"), ("Rose", "Mercier"),
    ("Éloïse", "Faure"),
]  # fmt: skip
PLACES = [
    ("12 rue Oberkampf", "75011", "Paris"), ("4 quai Saint-Vincent", "69001", "Lyon"),
    ("27 rue Paradis", "13006", "Marseille"), ("9 allée Jean-Jaurès", "31000", "Toulouse"),
    ("15 rue Crébillon", "44000", "Nantes"), ("33 cours de l'Intendance", "33000", "Bordeaux"),
    ("8 rue de Béthune", "59000", "Lille"), ("2 place Kléber", "67000", "Strasbourg"),
    ("21 rue Saint-Malo", "35000", "Rennes"), ("6 rue de la Loge", "34000", "Montpellier"),
    ("40 avenue Jean-Médecin", "06000", "Nice"), ("11 rue des Forges", "21000", "Dijon"),
]  # fmt: skip
PRODUCTS = [
    ("Théière en fonte 0,8 L", "THE-FONTE-08", "Cuisine", "39.90"),
    ("Plaid en laine mérinos", "PLAID-MERINOS", "Linge de maison", "89.00"),
    ("Bougie parfumée figue", "BOUGIE-FIGUE", "Décoration", "24.50"),
    ("Carafe en verre soufflé", "CARAFE-VERRE", "Arts de la table", "32.00"),
    ("Tablier en lin lavé", "TABLIER-LIN", "Linge de maison", "29.00"),
    ("Set de 4 bols en grès", "BOLS-GRES-4", "Arts de la table", "44.00"),
    ("Coussin en velours côtelé", "COUSSIN-VELOURS", "Décoration", "35.00"),
    ("Savon de Marseille 300 g", "SAVON-MARSEILLE", "Hygiène", "6.90"),
    ("Torchons en coton bio (lot de 3)", "TORCHONS-BIO-3", "Linge de maison", "19.90"),
    ("Moulin à poivre en hêtre", "MOULIN-HETRE", "Cuisine", "27.00"),
    ("Panier en osier tressé", "PANIER-OSIER", "Décoration", "42.00"),
    ("Vase en céramique émaillée", "VASE-CERAMIQUE", "Décoration", "49.00"),
]
CARRIERS = [
    ("Colissimo", "6A{:011d}", "https://www.laposte.fr/outils/suivre-vos-envois?code={}"),
    (
        "Chronopost",
        "XY{:09d}FR",
        "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={}",
    ),
]
SHIPPING = {"Colissimo": ("Colissimo - Livraison à domicile", "4.90")}

# (situation, our OrderStatus value) for #1001.. in order; 4+ of each situation.
SITUATIONS = (
    ["paid"] * 4
    + ["preparing"] * 4
    + ["shipped"] * 4
    + ["delivered"] * 5  # the fifth was delivered too long ago to be returned
    + ["delayed"] * 4
    + ["cancelled"] * 4
    + ["returned"]  # delivered, sent back and refunded
)
WITHDRAWAL_DAYS = 14  # what demo_orders() assumes (COMPTOIR_SHOP_WITHDRAWAL_DAYS default)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(amount: str) -> dict[str, Any]:
    money = {"amount": amount, "currencyCode": "EUR"}
    return {"shopMoney": money, "presentmentMoney": dict(money)}


def build_orders(now: datetime | None = None) -> list[dict[str, Any]]:
    """The stand-in's orders, in the Admin GraphQL API's shapes (plus a few `_`-prefixed keys
    for the stand-in's own bookkeeping: the expected status, the proof)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    orders = []
    for i, situation in enumerate(SITUATIONS):
        n = 1001 + i
        first, last = PEOPLE[i % len(PEOPLE)]
        street, zip_code, city = PLACES[i % len(PLACES)]
        email = f"{_ascii(first)}.{_ascii(last)}@exemple.fr"
        oid = 5_500_000_000 + i
        ago = {"paid": 0, "preparing": 1, "shipped": 3, "returned": 16}.get(situation, 9)
        placed = now - timedelta(days=ago)
        if situation == "delivered" and i % 5 == 4:
            placed = now - timedelta(days=40)
        placed -= timedelta(hours=i % 7 + 1)
        count = 3 if i in (0, 13) else 1 + i % 2  # #1001 and #1014 page through their items
        items: list[dict[str, Any]] = []
        for k in range(count):
            title, sku, ptype, price = PRODUCTS[(i * 5 + k) % len(PRODUCTS)]
            line_id = oid * 10 + k
            items.append(
                {
                    "id": f"gid://shopify/LineItem/{line_id}",
                    "name": title,
                    "title": title,
                    "sku": sku,
                    "quantity": 1,
                    "currentQuantity": 1,
                    "refundableQuantity": 1,
                    "requiresShipping": True,
                    "originalUnitPriceSet": _money(price),
                    "product": {
                        "id": f"gid://shopify/Product/{8_000_000 + (i * 5 + k) % len(PRODUCTS)}",
                        "title": title,
                        "productType": ptype,
                    },
                }
            )
        total = sum(float(it["originalUnitPriceSet"]["shopMoney"]["amount"]) for it in items)
        address = {
            "id": f"gid://shopify/MailingAddress/{oid}",
            "firstName": first,
            "lastName": last,
            "name": f"{first} {last}",
            "company": None,
            "address1": street,
            "address2": None,
            "city": city,
            "province": None,
            "zip": zip_code,
            "country": "France",
            "countryCodeV2": "FR",
            "phone": None,
        }
        billing = dict(address, id=f"gid://shopify/MailingAddress/{oid + 1}")
        if i % 6 == 5:  # billed elsewhere: the billing postcode is a proof too
            billing.update(address1="3 rue du Bac", zip="75007", city="Paris")
        order: dict[str, Any] = {
            "id": f"gid://shopify/Order/{oid}",
            "legacyResourceId": str(oid),
            "name": f"#{n}",
            "email": email,
            "phone": None,
            "createdAt": _iso(placed),
            "processedAt": _iso(placed),
            "updatedAt": _iso(placed),
            "cancelledAt": None,
            "cancelReason": None,
            "closed": False,
            "closedAt": None,
            "confirmed": True,
            "displayFinancialStatus": "PAID",
            "displayFulfillmentStatus": "UNFULFILLED",
            "customer": {
                "id": f"gid://shopify/Customer/{7_000_000 + i}",
                "firstName": first,
                "lastName": last,
                "displayName": f"{first} {last}",
            },
            "shippingAddress": address,
            "billingAddress": billing,
            "shippingLine": {
                "id": f"gid://shopify/ShippingLine/{oid}",
                "title": "Colissimo - Livraison à domicile",
                "code": "colissimo-domicile",
                "carrierIdentifier": None,
                "source": "shopify",
                "originalPriceSet": _money("4.90"),
            },
            "statusPageUrl": f"https://boutique-standin.myshopify.com/{oid}/orders/{oid:x}",
            "totalPriceSet": _money(f"{total + 4.90:.2f}"),
            "currentTotalPriceSet": _money(f"{total + 4.90:.2f}"),
            "note": None,
            "lineItems": items,
            "fulfillments": [],
            "refunds": [],
            "returns": [],
            "_status": situation,
            "_proof": {"email": email, "postcode": zip_code},
        }
        if situation == "preparing":
            order["displayFulfillmentStatus"] = "IN_PROGRESS" if i % 2 else "ON_HOLD"
        elif situation == "cancelled":
            order.update(
                cancelledAt=_iso(placed + timedelta(hours=2)),
                cancelReason="CUSTOMER",
                closed=True,
                closedAt=_iso(placed + timedelta(hours=2)),
                displayFinancialStatus="REFUNDED",
            )
            order["refunds"].append(
                {
                    "id": f"gid://shopify/Refund/{900_000 + i}",
                    "legacyResourceId": str(900_000 + i),
                    "createdAt": _iso(placed + timedelta(hours=2)),
                    "updatedAt": _iso(placed + timedelta(hours=2)),
                    "note": "Annulation à la demande du client",
                    "totalRefundedSet": order["totalPriceSet"],
                }
            )
        elif situation in ("shipped", "delivered", "delayed", "returned"):
            order["displayFulfillmentStatus"] = "FULFILLED"
            order["fulfillments"].append(_fulfillment(order, i, situation, placed, now))
        if situation == "delivered" and i % 5 == 3:  # one of its items already refunded
            gone = items[-1]
            gone.update(currentQuantity=0, refundableQuantity=0)
            order["displayFinancialStatus"] = "PARTIALLY_REFUNDED"
            price = gone["originalUnitPriceSet"]["shopMoney"]["amount"]
            order["refunds"].append(
                {
                    "id": f"gid://shopify/Refund/{900_000 + i}",
                    "legacyResourceId": str(900_000 + i),
                    "createdAt": _iso(now - timedelta(days=1)),
                    "updatedAt": _iso(now - timedelta(days=1)),
                    "note": "Article arrivé abîmé",
                    "totalRefundedSet": _money(price),
                }
            )
        if situation == "returned":
            for item in items:
                item.update(currentQuantity=0, refundableQuantity=0)
            order["displayFinancialStatus"] = "REFUNDED"
            order["returns"].append(
                {
                    "id": f"gid://shopify/Return/{6_500_000 + i}",
                    "name": f"{order['name']}-R1",
                    "status": "CLOSED",
                    "order": order,
                    "totalQuantity": len(items),
                }
            )
            order["refunds"].append(
                {
                    "id": f"gid://shopify/Refund/{900_000 + i}",
                    "legacyResourceId": str(900_000 + i),
                    "createdAt": _iso(now - timedelta(days=3)),
                    "updatedAt": _iso(now - timedelta(days=3)),
                    "note": "Retour reçu en entrepôt",
                    "totalRefundedSet": order["totalPriceSet"],
                }
            )
        orders.append(order)
    return orders


def _fulfillment(
    order: dict[str, Any], i: int, situation: str, placed: datetime, now: datetime
) -> dict[str, Any]:
    carrier, number_fmt, url_fmt = CARRIERS[i % len(CARRIERS)]
    number = number_fmt.format(10_000_000 + i * 7919)
    fid = 4_400_000_000 + i
    shipped_at = placed + timedelta(days=1)
    display = {"shipped": "IN_TRANSIT", "delivered": "DELIVERED", "returned": "DELIVERED"}.get(
        situation, "IN_TRANSIT"
    )
    eta = shipped_at + timedelta(days=3)
    delivered_at = None
    events = [("CONFIRMED", shipped_at, "Colis remis au transporteur", "Lyon")]
    if situation == "shipped":
        eta = now + timedelta(days=2)
        events.append(("IN_TRANSIT", shipped_at + timedelta(hours=10), "En transit", "Orly"))
    elif situation in ("delivered", "returned"):
        delivered_at = shipped_at + timedelta(days=2)
        events.append(("IN_TRANSIT", shipped_at + timedelta(hours=10), "En transit", "Orly"))
        events.append(("DELIVERED", delivered_at, "Colis livré", order["shippingAddress"]["city"]))
    elif situation == "delayed":
        if i % 2:  # the carrier reported a delay, with a new date
            display = "DELAYED"
            eta = now + timedelta(days=3)
            events.append(("DELAYED", now - timedelta(hours=5), "Retard d'acheminement", "Orly"))
        else:  # no news, and the expected date has passed
            eta = now - timedelta(days=2)
            events.append(("IN_TRANSIT", shipped_at + timedelta(hours=10), "En transit", "Orly"))
    return {
        "id": f"gid://shopify/Fulfillment/{fid}",
        "legacyResourceId": str(fid),
        "name": f"{order['name']}-F1",
        "status": "SUCCESS",
        "displayStatus": display,
        "createdAt": _iso(shipped_at),
        "updatedAt": _iso(now),
        "inTransitAt": _iso(shipped_at),
        "deliveredAt": _iso(delivered_at) if delivered_at else None,
        "estimatedDeliveryAt": _iso(eta),
        "trackingInfo": [{"company": carrier, "number": number, "url": url_fmt.format(number)}],
        "events": [
            {
                "id": f"gid://shopify/FulfillmentEvent/{fid * 10 + k}",
                "status": status,
                "happenedAt": _iso(at),
                "createdAt": _iso(at),
                "message": message,
                "address1": None,
                "city": place,
                "province": None,
                "zip": None,
                "country": "France",
                "estimatedDeliveryAt": _iso(eta) if status == "DELAYED" else None,
            }
            for k, (status, at, message, place) in enumerate(events)
        ],
        "fulfillmentLineItems": [
            {
                "id": f"gid://shopify/FulfillmentLineItem/{int(item['id'].rsplit('/', 1)[1]) + 3}",
                "quantity": item["quantity"],
                "lineItem": item,
            }
            for item in order["lineItems"]
        ],
    }


def build_delivery_profiles() -> list[dict[str, Any]]:
    """The shop's shipping rates as a DeliveryProfile: Colissimo at 4.90 (free from 60 €, as
    Shopify models it: a second rate at 0 with a TOTAL_PRICE condition), Chronopost at 12.90,
    Mondial Relay at 3.90, and an inactive rate the adapter must leave out."""

    def rate(n: int, name: str, price: str, conditions: list[dict[str, Any]], active: bool = True):
        return {
            "id": f"gid://shopify/DeliveryMethodDefinition/{n}",
            "name": name,
            "active": active,
            "description": None,
            "rateProvider": {
                "__typename": "DeliveryRateDefinition",
                "id": f"gid://shopify/DeliveryRateDefinition/{n}",
                "price": {"amount": price, "currencyCode": "EUR"},
            },
            "methodConditions": conditions,
        }

    def total(n: int, operator: str, amount: str) -> dict[str, Any]:
        return {
            "id": f"gid://shopify/DeliveryCondition/{n}",
            "field": "TOTAL_PRICE",
            "operator": operator,
            "conditionCriteria": {"__typename": "MoneyV2", "amount": amount, "currencyCode": "EUR"},
        }

    france = {
        "zone": {
            "id": "gid://shopify/DeliveryZone/1",
            "name": "France métropolitaine",
            "countries": [
                {
                    "id": "gid://shopify/DeliveryCountry/1",
                    "name": "France",
                    "code": {"countryCode": "FR", "restOfWorld": False},
                }
            ],
        },
        "methodDefinitions": [
            rate(1, "Colissimo", "4.90", [total(1, "LESS_THAN_OR_EQUAL_TO", "59.99")]),
            rate(2, "Colissimo", "0.00", [total(2, "GREATER_THAN_OR_EQUAL_TO", "60.00")]),
            rate(3, "Chronopost", "12.90", []),
            rate(4, "Mondial Relay", "3.90", []),
            rate(5, "Coursier Paris (suspendu)", "15.00", [], active=False),
        ],
    }
    belgium = {
        "zone": {
            "id": "gid://shopify/DeliveryZone/2",
            "name": "Belgique",
            "countries": [
                {
                    "id": "gid://shopify/DeliveryCountry/2",
                    "name": "Belgique",
                    "code": {"countryCode": "BE", "restOfWorld": False},
                }
            ],
        },
        "methodDefinitions": [rate(6, "Bpost international", "9.90", [])],
    }
    return [
        {
            "id": "gid://shopify/DeliveryProfile/1",
            "name": "Profil général",
            "default": True,
            "profileLocationGroups": [{"locationGroupZones": [france, belgium]}],
        }
    ]


def _returnable(order: dict[str, Any], item: dict[str, Any], now: datetime) -> bool:
    if order["_status"] != "delivered" or item["currentQuantity"] < 1:
        return False
    delivered = order["fulfillments"][0]["deliveredAt"]
    at = datetime.fromisoformat(delivered.replace("Z", "+00:00"))
    return now.date() <= (at + timedelta(days=WITHDRAWAL_DAYS)).date()


def demo_orders(now: datetime | None = None) -> list[dict[str, Any]]:
    """For each stand-in order: its name, a proof, the status the adapter should report and the
    items with whether each can be returned (with the default 14-day withdrawal period)."""
    now = now or datetime.now(UTC)
    return [
        {
            "number": o["name"],
            "email": o["_proof"]["email"],
            "postcode": o["_proof"]["postcode"],
            "status": o["_status"],
            "first_name": o["customer"]["firstName"],
            "items": [
                {"name": it["name"], "returnable": _returnable(o, it, now)} for it in o["lineItems"]
            ],
        }
        for o in build_orders(now)
    ]


def signed_fulfillment_event(
    order: dict[str, Any], status: str, secret: str = WEBHOOK_SECRET, event_id: int = 1
) -> tuple[bytes, dict[str, str]]:
    """A `fulfillment_events/create` webhook delivery for one order, as Shopify sends it: the
    REST-shaped fulfillment event, signed with X-Shopify-Hmac-Sha256 (docs "Deliver webhooks
    through HTTPS" / "Verify webhooks", https://shopify.dev/docs/apps/build/webhooks)."""
    fulfillment = order["fulfillments"][0] if order["fulfillments"] else None
    eta = fulfillment["estimatedDeliveryAt"] if fulfillment else None
    payload = {
        "id": event_id,
        "fulfillment_id": int(fulfillment["legacyResourceId"]) if fulfillment else None,
        "status": status,
        "message": "Retard d'acheminement" if status == "delayed" else None,
        "happened_at": _iso(datetime.now(UTC)),
        "city": "Orly",
        "province": None,
        "country": "France",
        "zip": None,
        "address1": None,
        "latitude": None,
        "longitude": None,
        "shop_id": 690933842,
        "created_at": _iso(datetime.now(UTC)),
        "updated_at": _iso(datetime.now(UTC)),
        "estimated_delivery_at": eta,
        "order_id": int(order["legacyResourceId"]),
        "admin_graphql_api_id": f"gid://shopify/FulfillmentEvent/{event_id}",
    }
    body = json.dumps(payload).encode()
    digest = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    headers = {
        "X-Shopify-Topic": "fulfillment_events/create",
        "X-Shopify-Hmac-Sha256": digest,
        "X-Shopify-Shop-Domain": "boutique-standin.myshopify.com",
        "X-Shopify-API-Version": API_VERSION,
        "X-Shopify-Webhook-Id": f"b54557e4-bdd9-4b37-8a5f-bf7d70bc{event_id:04d}",
        "Content-Type": "application/json",
    }
    return body, headers


# -- GraphQL execution ------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.b64encode(f"standin:{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().split(":", 1)[1])
    except (ValueError, IndexError, UnicodeDecodeError):
        raise GraphQLError("Invalid cursor for current pagination sort.") from None


def _connection(items: list[Any], args: dict[str, Any]) -> dict[str, Any]:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    if (first or 0) > MAX_PAGE or (last or 0) > MAX_PAGE:
        raise GraphQLError(f"The maximum page size is {MAX_PAGE}.")
    indexed = list(enumerate(items))
    if args.get("reverse"):
        indexed.reverse()
    if args.get("after"):
        after = _index(args["after"])
        position = next((p for p, (k, _) in enumerate(indexed) if k == after), None)
        if position is None:
            raise GraphQLError("Invalid cursor for current pagination sort.")
        indexed = indexed[position + 1 :]
    has_next = False
    if first is not None:
        has_next = len(indexed) > first
        indexed = indexed[:first]
    elif last is not None:
        indexed = indexed[-last:]
    return {
        "edges": [{"cursor": _cursor(k), "node": node} for k, node in indexed],
        "nodes": [node for _, node in indexed],
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": bool(args.get("after")),
            "startCursor": _cursor(indexed[0][0]) if indexed else None,
            "endCursor": _cursor(indexed[-1][0]) if indexed else None,
        },
    }


def _field_resolver(name: str, connection: bool, limited_list: bool) -> Any:
    def resolve(source: Any, info: Any, **args: Any) -> Any:
        value = source.get(name, []) if isinstance(source, dict) else []
        if connection:
            return _connection(list(value), args)
        if limited_list and args.get("first") is not None:
            return list(value)[: args["first"]]
        return value

    return resolve


def _wire_connections(schema: Any) -> None:
    """Give every connection field (and every list field taking `first`) a resolver reading the
    list kept under the field's name in the fixture dicts."""
    for gtype in schema.type_map.values():
        if not isinstance(gtype, GraphQLObjectType) or gtype.name.startswith("__"):
            continue
        if gtype.name in ("QueryRoot", "Mutation"):
            continue
        for fname, field in gtype.fields.items():
            inner = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            is_conn = getattr(inner, "name", "").endswith("Connection")
            is_list = isinstance(inner, GraphQLList) and "first" in field.args
            if is_conn or is_list:
                field.resolve = _field_resolver(fname, is_conn, is_list)


def _user_error(message: str, field: list[str], code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code:
        error["code"] = code
    return error


class Shop:
    """The stand-in's state: the orders, what has changed, and the faults to inject."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = (now or datetime.now(UTC)).replace(microsecond=0)
        self.orders = build_orders(self.now)
        self.profiles = build_delivery_profiles()
        self.by_id = {o["id"]: o for o in self.orders}
        self.catalogue = shopify_catalogue.Catalogue(self.now)  # products (issue 18)
        self.cancel_refusals: set[str] = set()
        self.jobs = 0
        self.returns = 0

    # Queries
    def find_orders(self, source: Any, info: Any, **args: Any) -> dict[str, Any]:
        query = (args.get("query") or "").strip()
        found = self.orders
        match = re.fullmatch(r"name:\s*\"?(#?[\w-]+)\"?", query) if query else None
        if query and not match:
            raise GraphQLError("Unsupported search query in the stand-in: " + query)
        if match:
            wanted = match.group(1).lstrip("#").lower()
            found = [o for o in self.orders if o["name"].lstrip("#").lower() == wanted]
        return _connection(found, args)

    def order(self, source: Any, info: Any, id: str) -> dict[str, Any] | None:
        return self.by_id.get(id)

    def delivery_profiles(self, source: Any, info: Any, **args: Any) -> dict[str, Any]:
        return _connection(self.profiles, args)

    # Mutations
    def order_cancel(self, source: Any, info: Any, orderId: str, **args: Any) -> dict[str, Any]:
        order = self.by_id.get(orderId)
        errors: list[dict[str, Any]] = []
        if order is None:
            errors.append(_user_error("Order does not exist", ["orderId"], "NOT_FOUND"))
        elif order["cancelledAt"]:
            errors.append(_user_error("Order has already been cancelled", ["orderId"], "INVALID"))
        elif order["fulfillments"]:
            errors.append(
                _user_error("Cannot cancel an order with fulfillments", ["orderId"], "INVALID")
            )
        elif order["name"] in self.cancel_refusals:
            errors.append(
                _user_error("Order has pending payment authorizations", ["orderId"], "INVALID")
            )
        if errors:
            return {"job": None, "orderCancelUserErrors": errors, "userErrors": errors}
        assert order is not None
        stamp = _iso(datetime.now(UTC))
        order.update(
            cancelledAt=stamp,
            cancelReason=args["reason"],
            closed=True,
            closedAt=stamp,
            updatedAt=stamp,
            displayFinancialStatus="REFUNDED",
            _status="cancelled",
        )
        self.jobs += 1
        job = {"id": f"gid://shopify/Job/standin-{self.jobs}", "done": False}
        return {"job": job, "orderCancelUserErrors": [], "userErrors": []}

    def order_update(self, source: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        order = self.by_id.get(input["id"])
        if order is None:
            return {"order": None, "userErrors": [_user_error("Order does not exist", ["id"])]}
        new = input.get("shippingAddress")
        if new is not None:
            if not new.get("zip") or not new.get("address1") or not new.get("city"):
                error = _user_error("Shipping address is invalid", ["shippingAddress"])
                return {"order": None, "userErrors": [error]}
            address = dict(order["shippingAddress"])
            address.update({k: v for k, v in new.items() if k != "countryCode"})
            address["countryCodeV2"] = new.get("countryCode") or address["countryCodeV2"]
            address["name"] = f"{address.get('firstName') or ''} {address.get('lastName') or ''}"
            order["shippingAddress"] = address
            order["updatedAt"] = _iso(datetime.now(UTC))
        return {"order": order, "userErrors": []}

    def return_request(self, source: Any, info: Any, input: dict[str, Any]) -> dict[str, Any]:
        order = self.by_id.get(input["orderId"])
        if order is None:
            error = _user_error("Order does not exist", ["input", "orderId"], "NOT_FOUND")
            return {"return": None, "userErrors": [error]}
        lines = {fli["id"]: fli for f in order["fulfillments"] for fli in f["fulfillmentLineItems"]}
        errors = []
        for k, wanted in enumerate(input["returnLineItems"]):
            fli = lines.get(wanted["fulfillmentLineItemId"])
            where = ["input", "returnLineItems", str(k)]
            if fli is None:
                errors.append(_user_error("Fulfillment line item not found", where, "NOT_FOUND"))
            elif wanted["quantity"] > fli["lineItem"]["currentQuantity"]:
                errors.append(
                    _user_error("Quantity exceeds the returnable quantity", where, "INVALID")
                )
        if errors:
            return {"return": None, "userErrors": errors}
        self.returns += 1
        created = {
            "id": f"gid://shopify/Return/{6_600_000 + self.returns}",
            "name": f"{order['name']}-R{len(order['returns']) + 1}",
            "status": "REQUESTED",
            "order": order,
            "totalQuantity": sum(w["quantity"] for w in input["returnLineItems"]),
        }
        order["returns"].append(created)
        return {"return": created, "userErrors": []}


def make_schema(shop: Shop) -> Any:
    schema = build_schema(SDL + shopify_catalogue.SDL)
    _wire_connections(schema)
    query, mutation = schema.query_type, schema.mutation_type
    assert query is not None and mutation is not None
    catalogue = shop.catalogue
    for field, resolver in (
        ("products", catalogue.resolve_products),
        ("productVariants", catalogue.resolve_variants),
        ("deletionEvents", catalogue.resolve_deletions),
    ):
        query.fields[field].resolve = lambda source, info, _r=resolver, **args: _connection(
            _r(source, info, **args), args
        )
    query.fields["product"].resolve = catalogue.resolve_product
    query.fields["orders"].resolve = shop.find_orders
    query.fields["order"].resolve = shop.order
    query.fields["deliveryProfiles"].resolve = shop.delivery_profiles
    mutation.fields["orderCancel"].resolve = shop.order_cancel
    mutation.fields["orderUpdate"].resolve = shop.order_update
    mutation.fields["returnRequest"].resolve = shop.return_request
    return schema


def _cost(requested: float, available: float, actual: float | None) -> dict[str, Any]:
    return {
        "cost": {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": BUCKET,
                "currentlyAvailable": available,
                "restoreRate": RESTORE_RATE,
            },
        }
    }


def create_app(
    token: str = TOKEN, api_version: str = API_VERSION, now: datetime | None = None
) -> FastAPI:
    """The stand-in as an ASGI app; its state is `app.state.shop` (orders) and the fault
    knobs described in the module docstring."""
    app = FastAPI(title="Shopify Admin GraphQL API (stand-in)")
    shop = Shop(now)
    schema = make_schema(shop)
    app.state.shop = shop
    app.state.faults = []
    app.state.calls = 0
    app.state.cancel_refusals = shop.cancel_refusals

    def next_fault() -> dict[str, Any] | None:
        faults = app.state.faults
        while faults:
            fault = faults[0]
            left = fault.get("count", fault.get("throttled", 1))
            if left <= 0:
                faults.pop(0)
                continue
            key = "throttled" if "throttled" in fault else "count"
            fault[key] = left - 1
            return dict(fault)
        return None

    @app.post("/__standin__/faults")
    async def add_fault(request: Request) -> dict[str, Any]:
        app.state.faults.append(await request.json())
        return {"faults": len(app.state.faults)}

    @app.post("/admin/api/{version}/graphql.json")
    async def graphql_endpoint(version: str, request: Request) -> JSONResponse:
        if not hmac.compare_digest(
            request.headers.get("X-Shopify-Access-Token", "").encode(), token.encode()
        ):
            return JSONResponse({"errors": UNAUTHORIZED}, status_code=401)
        if version != api_version:
            return JSONResponse({"errors": "Not Found"}, status_code=404)
        app.state.calls += 1
        fault = next_fault()
        if fault and "status" in fault:
            headers = {}
            if fault["status"] == 429:
                headers["Retry-After"] = str(fault.get("retry_after", 1.0))
            body = {"errors": "Exceeded 2 calls per second for api client. Reduce request rates."}
            if fault["status"] >= 500:
                body = {"errors": "Internal Server Error"}
            return JSONResponse(body, status_code=fault["status"], headers=headers)
        try:
            payload = await request.json()
        except ValueError:
            return JSONResponse({"errors": {"query": "Required parameter missing"}}, 400)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return JSONResponse({"errors": {"query": "Required parameter missing"}}, 400)
        requested = 10.0
        if fault and "throttled" in fault:
            available = float(fault.get("available", 0.0))
            rate = float(fault.get("restore_rate", RESTORE_RATE))
            extensions = _cost(requested, available, None)
            extensions["cost"]["throttleStatus"]["restoreRate"] = rate
            throttled = {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
            return JSONResponse({"errors": [throttled], "extensions": extensions})
        result = graphql_sync(
            schema,
            payload["query"],
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        answer: dict[str, Any] = {}
        if result.errors:
            answer["errors"] = [
                {
                    "message": e.message,
                    "locations": [{"line": loc.line, "column": loc.column} for loc in e.locations]
                    if e.locations
                    else [],
                    "path": e.path,
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}
                    if result.data is None
                    else {},
                }
                for e in result.errors
            ]
        if result.data is not None:
            answer["data"] = result.data  # only the selected fields: `_` keys never leave
        answer["extensions"] = _cost(requested, BUCKET - requested, 4.0)
        return JSONResponse(answer)

    return app


def comptoir_env(url: str) -> dict[str, str]:
    """Comptoir's settings for this stand-in at `url`."""
    return {
        "COMPTOIR_SHOP": "shopify",
        "COMPTOIR_SHOPIFY_URL": url,
        "COMPTOIR_SHOPIFY_TOKEN": TOKEN,
        "COMPTOIR_SHOPIFY_API_VERSION": API_VERSION,
        "COMPTOIR_SHOPIFY_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.standins.shopify",
        description="Serve the Shopify Admin GraphQL API stand-in on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=8300)
    args = parser.parse_args()
    announce(comptoir_env(f"http://127.0.0.1:{args.port}"), demo_orders())
    import uvicorn

    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
