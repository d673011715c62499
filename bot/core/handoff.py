"""The names of a hand-off, declared once for every process that takes part in it.

A hand-off crosses four processes: the Rasa server's policy relays every message while the slot
below is set, the action server opens the case and sets the slot, the back office owns the case
and speaks to Rasa with the intents below, and the evaluation counts hand-offs. Each of them
imports these names instead of spelling them again, so that a rename fails in tests, not in
production. Standard library only (the Rasa server loads it under Python 3.10).
"""

from __future__ import annotations

from enum import Enum

# Set by the action server when the back office has the case; while it is set, the hand-off
# policy relays every shopper message and the bot says nothing of its own.
ACTIVE_SLOT = "handoff_active"

# The actions of a hand-off (domain.yml, actions/handoff.py).
HANDOFF_ACTION = "action_human_handoff"
RELAY_ACTION = "action_relay_to_agent"
AGENT_REPLY_ACTION = "action_agent_reply"
RESOLVED_ACTION = "action_handoff_resolved"
RETURNED_ACTION = "action_handoff_returned"

# Intents only the back office sends, through Rasa's trigger_intent (never said by shoppers;
# bot/rasa/intent_guard.py drops them from typed text).
AGENT_REPLY_INTENT = "agent_reply"  # entities: agent_text, agent_name
RESOLVED_INTENT = "handoff_resolved"  # the agent closed the case: the bot asks for a rating
RETURNED_INTENT = "handoff_returned"  # the agent gives the conversation back without closing
# A followed order is late (bot/backoffice/notices); entities: order_number, delivery_date.
# Said even during a hand-off: the shopper must hear it, and the agent sees it in the transcript.
DELAY_INTENT = "order_delayed"
NOTIFY_DELAY_ACTION = "action_notify_delay"
# ... and the action each one runs.
BACK_OFFICE_INTENTS = {
    AGENT_REPLY_INTENT: AGENT_REPLY_ACTION,
    RESOLVED_INTENT: RESOLVED_ACTION,
    RETURNED_INTENT: RETURNED_ACTION,
    DELAY_INTENT: NOTIFY_DELAY_ACTION,
}

# Rasa writes a trigger_intent as a user event whose text starts with this: not something the
# shopper said (rasa/core/channels/channel.py, Rasa 3.6).
EXTERNAL_PREFIX = "EXTERNAL: "


def is_external(text: str | None) -> bool:
    """True for a user event that Rasa's trigger_intent made, not a message."""
    return bool(text) and str(text).startswith(EXTERNAL_PREFIX)


class Reason(str, Enum):
    """Why the bot stepped aside; drives the priority and what the agent reads first."""

    asked = "asked"  # the shopper asked for a person
    unsure = "unsure"  # the NLU and the knowledge base were unsure twice in a row
    verification = "verification"  # three failed order verifications
    upset = "upset"  # complaint, anger, legal threat
    shop_down = "shop_down"  # the shop's API is failing
    not_supported = "not_supported"  # the shop's platform cannot do it through its API


# Lower number = more urgent. An upset shopper first, then people the bot has let down.
PRIORITY: dict[Reason, int] = {
    Reason.upset: 1,
    Reason.shop_down: 2,
    Reason.verification: 2,
    Reason.not_supported: 3,
    Reason.asked: 3,
    Reason.unsure: 3,
}

# One wording per reason, for the agent: the inbox, the case page, the summary, the alert.
REASON_LABELS: dict[Reason, str] = {
    Reason.asked: "le client demande un conseiller",
    Reason.unsure: "le bot n'a pas compris deux messages de suite",
    Reason.verification: "trois vérifications de commande ont échoué",
    Reason.upset: "le client semble mécontent",
    Reason.shop_down: "le système de commandes ne répondait pas",
    Reason.not_supported: "la boutique ne permet pas au bot de le faire : à traiter à la main",
}


def reason_label(reason: str) -> str:
    """The French label of a reason stored as text (an unknown one is shown as it is)."""
    try:
        return REASON_LABELS[Reason(reason)]
    except ValueError:
        return reason


class CaseStatus(str, Enum):
    """Where a case stands in the back office (bot/backoffice/cases.py holds the rules)."""

    waiting = "waiting"  # no agent has it yet: the bot may still answer simple questions
    assigned = "assigned"  # an agent owns it
    resolved = "resolved"  # closed by the agent; the shopper is asked for a rating
    returned = "returned"  # given back to the bot without being closed


OPEN_STATUSES = (CaseStatus.waiting, CaseStatus.assigned)

STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.waiting: "en attente",
    CaseStatus.assigned: "pris en charge",
    CaseStatus.resolved: "résolu",
    CaseStatus.returned: "rendu au bot",
}
