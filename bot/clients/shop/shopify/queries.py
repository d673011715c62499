"""The GraphQL documents the Shopify adapter sends, in one place so that the contract tests
(run against a stand-in validating them with a schema written from Shopify's reference) cover
every field asked for. Admin GraphQL API 2025-07: Order, orders(query: "name:#1001"),
orderCancel, orderUpdate, returnRequest, deliveryProfiles.
"""

from __future__ import annotations

ORDER_FIELDS = """
  id name email createdAt processedAt cancelledAt closed
  displayFinancialStatus displayFulfillmentStatus statusPageUrl
  customer { firstName }
  shippingAddress { firstName lastName address1 address2 zip city countryCodeV2 }
  billingAddress { zip }
  shippingLine { title }
  totalPriceSet { shopMoney { amount } }
  lineItems(first: $pageSize) { pageInfo { hasNextPage endCursor } nodes { ...Line } }
  fulfillments(first: 10) {
    id status displayStatus createdAt inTransitAt deliveredAt estimatedDeliveryAt
    trackingInfo(first: 5) { company number url }
    events(first: 50) { nodes { status happenedAt message city estimatedDeliveryAt } }
    fulfillmentLineItems(first: 100) { nodes { id quantity lineItem { id } } }
  }
  refunds(first: 20) {
    id legacyResourceId createdAt note totalRefundedSet { shopMoney { amount } }
  }
  returns(first: 20) { nodes { id name status } }
"""
LINE_FIELDS = """
fragment Line on LineItem {
  id sku name quantity currentQuantity
  originalUnitPriceSet { shopMoney { amount } }
  product { productType }
}
"""
FIND_ORDER = (
    "query FindOrder($query: String!, $pageSize: Int!) {"
    f" orders(first: 1, query: $query) {{ nodes {{ {ORDER_FIELDS} }} }} }}" + LINE_FIELDS
)
MORE_LINES = (
    "query MoreLines($id: ID!, $pageSize: Int!, $after: String) {"
    " order(id: $id) { lineItems(first: $pageSize, after: $after) {"
    " pageInfo { hasNextPage endCursor } nodes { ...Line } } } }" + LINE_FIELDS
)
ORDER_NAME = "query OrderName($id: ID!) { order(id: $id) { name } }"
CANCEL = """
mutation CancelOrder($orderId: ID!) {
  orderCancel(orderId: $orderId, reason: CUSTOMER, restock: true, notifyCustomer: true,
              refundMethod: {originalPaymentMethodsRefund: true},
              staffNote: "Annulée par le client via l'assistant Comptoir") {
    job { id done }
    orderCancelUserErrors { field message code }
  }
}
"""
UPDATE_ADDRESS = """
mutation ChangeAddress($input: OrderInput!) {
  orderUpdate(input: $input) { order { id } userErrors { field message } }
}
"""
REQUEST_RETURN = """
mutation RequestReturn($input: ReturnRequestInput!) {
  returnRequest(input: $input) { return { id name status } userErrors { field message code } }
}
"""
SHIPPING_RATES = """
query ShippingRates {
  deliveryProfiles(first: 10) { nodes { profileLocationGroups {
    locationGroupZones(first: 50) { nodes {
      zone { countries { code { countryCode restOfWorld } } }
      methodDefinitions(first: 50) { nodes {
        name active
        rateProvider { ... on DeliveryRateDefinition { price { amount } } }
        methodConditions { field operator conditionCriteria { ... on MoneyV2 { amount } } }
      } }
    } }
  } } }
}
"""
