"""What the bot says in one turn, composed like a good shop assistant would say it.

Rasa runs one action after another and sends each action's messages as they come; nothing
looks at the turn as a whole. This installs a small step between an action and the tracker
(`MessageProcessor._log_action_on_tracker`, whose event list is also what is sent to the
channel), so that within one turn:
- a shopper who greeted gets greeted back before the answer to their request
  ("Bonjour ! Quel est le numéro de votre commande ?"), once;
- the same message is never sent twice.
Everything else passes unchanged. Installed by `python -m bot.rasa`.
"""

from __future__ import annotations

from typing import Any, List

from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.openers import already_greets, greeting

# Intents whose own answer already greets.
GREETS_BY_ITSELF = frozenset({"greet"})


def _turn(tracker: DialogueStateTracker) -> tuple[UserUttered | None, List[BotUttered]]:
    said: List[BotUttered] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return event, list(reversed(said))
        if isinstance(event, BotUttered):
            said.append(event)
    return None, list(reversed(said))


def _opening(user: UserUttered) -> str:
    """Words to put before the turn's first message."""
    hello = greeting(user.text or "")
    if hello and (user.intent or {}).get("name") not in GREETS_BY_ITSELF:
        return f"{hello} !"
    return ""


def compose(tracker: DialogueStateTracker, events: List[Event]) -> None:
    """Edit `events` (one action's) in place, knowing what was already said this turn."""
    user, said = _turn(tracker)
    if user is None or user.text is None or user.text.startswith("/"):
        return
    texts = {message.text for message in said if message.text}
    first = not said
    index = 0
    while index < len(events):
        event = events[index]
        if not isinstance(event, BotUttered):
            index += 1
            continue
        if event.text and event.text in texts:
            del events[index]  # already said this turn
            continue
        if first and event.text:
            opening = _opening(user)
            if opening and not already_greets(event.text):
                event = BotUttered(
                    f"{opening} {event.text}", event.data, event.metadata, event.timestamp
                )
                events[index] = event
            first = False
        texts.add(event.text or "")
        index += 1


def install() -> None:
    original = MessageProcessor._log_action_on_tracker
    if getattr(original, "comptoir_composer", False):
        return

    def _log_action_on_tracker(
        self: MessageProcessor,
        tracker: DialogueStateTracker,
        action: Any,
        events: List[Event] | None,
        prediction: Any,
    ) -> None:
        if events:
            compose(tracker, events)
        original(self, tracker, action, events, prediction)

    _log_action_on_tracker.comptoir_composer = True  # type: ignore[attr-defined]
    MessageProcessor._log_action_on_tracker = _log_action_on_tracker  # type: ignore[method-assign]
