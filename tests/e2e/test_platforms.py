"""`make run COMPTOIR_SHOP=<platform>` against each platform's stand-in: the real Rasa server,
action server and back office hold a whole order tracking over REST, with the platform's own
order numbers, and a delay the platform reports (WooCommerce's and Shopify's signed webhooks,
PrestaShop's poll) reaches the shopper who asked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from bot.clients.shop.contract import ShopClient
from bot.clients.shop.factory import shop_client
from bot.clients.shop.models import Verification
from bot.core.order_numbers import FORMATS
from bot.settings import Settings
from bot.tools.standins import serving
from tests.conversations.runner import Conversation, OrderPool, load, run
from tests.stack import Stack, handoffs, running, stack_env, texts

pytestmark = pytest.mark.e2e
PLATFORMS = ("woocommerce", "prestashop", "shopify")


class PlatformStack(Stack):
    standin: ModuleType
    standin_app: Any
    standin_url: str
    orders: list[dict[str, Any]]


@pytest.fixture(scope="module", params=PLATFORMS)
def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlatformStack]:
    """One stack at a time: the stand-in in this process, the product in its own."""
    standin = import_module(f"bot.tools.standins.{request.param}")
    tmp: Path = tmp_path_factory.mktemp(request.param)
    app = standin.create_app()
    with serving(app) as url:
        # PrestaShop has no webhooks: its followed orders are polled, here every 1.2 s.
        env = stack_env(tmp, **standin.comptoir_env(url), COMPTOIR_PRESTASHOP_POLL_MINUTES="0.02")
        stack = PlatformStack(env=env, logs=tmp)
        stack.standin, stack.standin_app, stack.standin_url = standin, app, url
        stack.orders = standin.demo_orders()
        with running(stack, demo_shop=False) as started:
            yield started  # type: ignore[misc]


def pick(stack: PlatformStack, status: str) -> dict[str, Any]:
    return next(order for order in stack.orders if order["status"] == status)


def test_a_whole_order_tracking_over_rest(platform: PlatformStack) -> None:
    order = pick(platform, "shipped")
    sender = f"platform-{platform.env['COMPTOIR_SHOP']}-tracking"
    asked = texts(platform.say(sender, "Bonjour, je voudrais suivre ma commande"))
    assert "numéro de votre commande" in asked
    assert "adresse e-mail" in texts(platform.say(sender, order["number"]))
    answer = texts(platform.say(sender, order["email"]))
    assert f"Merci {order['first_name']}, c'est bien votre commande." in answer, answer
    assert f"Votre commande {order['number']} est expédiée" in answer, answer


def test_a_number_in_another_shops_format_is_explained(platform: PlatformStack) -> None:
    sender = f"platform-{platform.env['COMPTOIR_SHOP']}-format"
    platform.say(sender, "je veux suivre ma commande")
    said = texts(platform.say(sender, "zz"))
    # The shop's own format, as the action server describes it for this platform.
    assert FORMATS[platform.env["COMPTOIR_SHOP"]].described in said, said


def test_a_wrong_proof_is_refused_on_every_platform(platform: PlatformStack) -> None:
    order = pick(platform, "shipped")
    sender = f"platform-{platform.env['COMPTOIR_SHOP']}-wrong"
    platform.say(sender, "je veux suivre ma commande")
    platform.say(sender, order["number"])
    said = texts(platform.say(sender, "quelquun.dautre@exemple.fr"))
    assert "Je ne trouve aucune commande" in said, said


def report_delay(stack: PlatformStack, order: dict[str, Any]) -> None:
    """The platform tells Comptoir the order is late, its own way."""
    webhook = f"{stack.backoffice_url}/api/webhooks/shop"
    platform = stack.env["COMPTOIR_SHOP"]
    if platform == "woocommerce":  # the shop marks it late; WooCommerce sends order.updated
        response = requests.post(
            f"{stack.standin_url}/__standin__/orders/{order['number']}/delay",
            json={"until": (date.today() + timedelta(days=4)).isoformat(), "deliver_to": webhook},
            timeout=10,
        )
        assert response.status_code == 200, response.text
    elif platform == "shopify":  # the carrier reports it; Shopify sends fulfillment_events/create
        shopify_order = next(
            o for o in stack.standin_app.state.shop.orders if o["name"] == order["number"]
        )
        body, headers = stack.standin.signed_fulfillment_event(shopify_order, "delayed")
        response = requests.post(webhook, data=body, headers=headers, timeout=10)
        assert response.status_code == 200, response.text
    # PrestaShop: the order is already in the "Retard de livraison" state; the poll finds it.


def test_a_delay_the_platform_reports_reaches_the_shopper_who_asked(
    platform: PlatformStack,
) -> None:
    status = "delayed" if platform.env["COMPTOIR_SHOP"] == "prestashop" else "shipped"
    order = [o for o in platform.orders if o["status"] == status][1]  # not the tracking test's
    sender = f"platform-{platform.env['COMPTOIR_SHOP']}-notice"
    platform.say(sender, "où en est ma commande ?")
    platform.say(sender, order["number"])
    assert "c'est bien votre commande" in texts(platform.say(sender, order["email"]))
    report_delay(platform, order)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        said = [e.get("text") or "" for e in platform.bot_events(sender)]
        notices = [t for t in said if "a pris du retard" in t]
        if notices:
            break
        time.sleep(0.5)
    assert notices and order["number"] in notices[0], said[-3:]
    time.sleep(3)  # a second poll or a redelivery must not say it again
    said = [e.get("text") or "" for e in platform.bot_events(sender)]
    assert len([t for t in said if "a pris du retard" in t]) == 1


# The scripted conversations (tests/conversations) each platform's stand-in replays: those
# whose flow the platform allows and whose outcome its API shows (status, address).
FLOWS = {
    "oui annulez tapé": PLATFORMS,
    "non finalement je la garde": PLATFORMS,
    "commande expédiée ne peut plus être annulée": PLATFORMS,
    "commande expédiée, adresse non modifiable": PLATFORMS,
    "remboursement après annulation, pas à pas": PLATFORMS,
    "nouvelle adresse résumée puis confirmée": ("woocommerce", "shopify"),
}
SCRIPTED = {c.name: c for c in load() if c.name in FLOWS}


@pytest.fixture(scope="module")
def pool(platform: PlatformStack) -> OrderPool:
    """The stand-in's orders, less the shipped ones the tests above use (one is made late)."""
    shipped = [o for o in platform.orders if o["status"] == "shipped"][:2]
    return OrderPool([o for o in platform.orders if o not in shipped])


def client_of(stack: PlatformStack) -> ShopClient:
    """The adapter the action server uses, built from the same settings."""
    env = stack.standin.comptoir_env(stack.standin_url)
    return shop_client(
        Settings.model_validate({k.removeprefix("COMPTOIR_").lower(): v for k, v in env.items()})
    )


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_the_scripted_flows_the_platform_allows(
    platform: PlatformStack, pool: OrderPool, name: str
) -> None:
    if platform.env["COMPTOIR_SHOP"] not in FLOWS[name]:
        pytest.skip(f"{platform.env['COMPTOIR_SHOP']} cannot do this through its API")

    def check_after(
        conversation: Conversation, order: dict[str, Any], after: dict[str, Any]
    ) -> None:
        assert set(after) <= {"status", "address"}, f"{conversation.id}: cannot check {after}"
        seen = client_of(platform).verify_order(order["number"], Verification(email=order["email"]))
        if "status" in after:
            assert seen.status.value == after["status"], f"{conversation.id}: {seen.status}"
        if "address" in after:
            address = seen.shipping_address
            line = f"{address.line1} {address.postcode} {address.city}"
            assert after["address"].lower() in line.lower(), f"{conversation.id}: {line}"

    run(SCRIPTED[name], platform, pool, check_after)


def test_what_the_platform_cannot_do_goes_to_a_person_with_the_reason(
    platform: PlatformStack,
) -> None:
    """No platform has a claims API: the bot says so and hands over, reason not_supported."""
    order = [o for o in platform.orders if o["status"] == "delivered"][-1]  # no flow takes it
    sender = f"platform-{platform.env['COMPTOIR_SHOP']}-claim"
    platform.say(sender, "j'ai un probleme avec ma commande")
    platform.say(sender, order["number"])
    platform.say(sender, order["email"])
    platform.say(sender, "il est arrivé cassé")
    said = texts(platform.say(sender, "oui"))
    assert "Pour cette boutique, c'est un conseiller qui s'en charge." in said, said
    [case] = [h for h in handoffs(platform) if h["conversation_id"] == sender]
    assert case["reason"] == "not_supported"
