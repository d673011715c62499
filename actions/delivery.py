"""Delivery times by shipping method, the expected date of a verified order, the tracking of an
order named in the question, and the knowledge base's answer to a precise question."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.common import call_shop, facts, verified_number
from actions.failures import shop_down
from actions.knowledge import answer, search
from bot.clients.shop.contract import ShopUnavailable
from bot.clients.shop.models import AWAITING_DELIVERY
from bot.core import replies
from bot.core.shopper_replies import asks_how_long
from bot.dialogue.texts import french_date, shipping_methods_summary


class ActionDeliveryTimes(Action):
    def name(self) -> str:
        return "action_delivery_times"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if next(tracker.get_latest_entity_values("order_number"), None):
            return [FollowupAction("track_order_form")]  # "le livreur passe quand ? CM…"
        number = verified_number(tracker)
        order = facts(tracker)
        if number and order.expected_delivery and order.status in AWAITING_DELIVERY:
            dispatcher.utter_message(
                text=replies.EXPECTED_ON.format(
                    number=number, date=french_date(order.expected_delivery, weekday=True)
                )
            )
            return []
        found = await search(tracker)
        text = tracker.latest_message.get("text") or ""
        if (
            found
            and found.outcome == "answer"
            and found.top
            and not (found.top.topic.startswith("delivery") and asks_how_long(text))
        ):
            # A precise question ("vous livrez le samedi ?", "combien de temps pour
            # renvoyer ?") has a precise answer; "en combien de temps ?" gets the table.
            return answer(dispatcher, found) or []
        try:
            methods = await call_shop(
                tracker, "shipping_methods", services.current().shop.shipping_methods
            )
        except ShopUnavailable:
            return await shop_down(dispatcher, tracker)
        dispatcher.utter_message(
            text=shipping_methods_summary(methods),
            buttons=[] if number else [replies.DELIVERY_DATE],
        )
        return []
