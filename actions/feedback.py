"""The shopper's "was this helpful?" on a knowledge-base answer, kept for the editors.

Each answer is appended as one JSON line (time, conversation, entry, helpful, channel) to
`settings.faq_feedback_file`; the conversation's tracker keeps it too. Unhelpful entries are
the editors' best source of new phrasings.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import HUMAN_BUTTON
from bot.core import replies
from bot.settings import get_settings

_write_lock = threading.Lock()


def record(line: dict[str, Any]) -> None:
    path = get_settings().faq_feedback_file
    path.parent.mkdir(parents=True, exist_ok=True)
    with _write_lock, path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")


class ActionRecordFaqFeedback(Action):
    def name(self) -> str:
        return "action_record_faq_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        entry = tracker.get_slot("kb_entry")
        value = next(tracker.get_latest_entity_values("helpful"), None)
        if entry is None or value not in ("yes", "no"):
            dispatcher.utter_message(text=replies.FEEDBACK_THANKS)
            return []
        helpful = value == "yes"
        record(
            {
                "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "conversation": tracker.sender_id,
                "entry": entry,
                "helpful": helpful,
                "channel": tracker.get_latest_input_channel(),
            }
        )
        if helpful:
            dispatcher.utter_message(text=replies.FEEDBACK_HELPFUL)
        else:
            dispatcher.utter_message(
                text=replies.FEEDBACK_UNHELPFUL,
                buttons=[HUMAN_BUTTON],
            )
        return [SlotSet("kb_entry", None)]
