"""Delivery times by shipping method, and the expected date of a verified order."""
from __future__ import annotations

from datetime import date
from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import call_shop, facts, shop, verified_number
from actions.handoff import shop_down
from bot.dialogue.texts import french_date, shipping_methods_summary
from bot.shop.client import ShopUnavailable


class ActionDeliveryTimes(Action):
    def name(self) -> str:
        return "action_delivery_times"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        number = verified_number(tracker)
        expected = facts(tracker).get("expected_delivery")
        if number and expected and facts(tracker).get("status") not in (
                "delivered", "cancelled", "returned"):
            dispatcher.utter_message(
                text=(f"Votre commande {number} est attendue le "
                      f"{french_date(date.fromisoformat(expected), weekday=True)}."))
            return []
        try:
            methods = await call_shop(tracker, "shipping_methods", shop().shipping_methods)
        except ShopUnavailable:
            return await shop_down(dispatcher, tracker)
        dispatcher.utter_message(
            text=shipping_methods_summary(methods),
            buttons=[] if number else [{"title": "Date de livraison de ma commande",
                                        "payload": "/track_order"}])
        return []
