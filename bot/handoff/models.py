"""Wire models of the hand-off API that the back office serves and the action server calls.

POST /api/handoffs                          HandoffRequest  -> HandoffTicket   (201)
POST /api/handoffs/{conversation_id}/messages  ShopperMessage -> 202 (relayed to the inbox)
POST /api/handoffs/{conversation_id}/rating    Rating         -> 204 (CSAT after resolution)
All three need `Authorization: Bearer <service token>` (Settings.secret("service_token")).
"""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import BaseModel, Field


class Reason(str, Enum):
    """Why the bot stepped aside; drives the priority and what the agent reads first."""

    asked = "asked"  # the shopper asked for a person
    unsure = "unsure"  # the NLU and the knowledge base were unsure twice in a row
    verification = "verification"  # three failed order verifications
    upset = "upset"  # complaint, anger, legal threat
    shop_down = "shop_down"  # the shop's API is failing


# Lower number = more urgent. An upset shopper first, then people the bot has let down.
PRIORITY: dict[Reason, int] = {
    Reason.upset: 1,
    Reason.shop_down: 2,
    Reason.verification: 2,
    Reason.asked: 3,
    Reason.unsure: 3,
}


class Turn(BaseModel):
    sender: str = Field(pattern="^(shopper|bot|agent)$")
    text: str = Field(max_length=4000)


class Summary(BaseModel):
    """What the agent reads before the transcript: nothing the shopper must repeat."""

    request: str = Field("", max_length=500, description="what the shopper wanted, in French")
    order_number: str | None = Field(None, description="only when ownership was verified")
    last_messages: list[Turn] = Field(default_factory=list, max_length=20)


class HandoffRequest(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=255)
    channel: str = Field("rest", max_length=50, description="socketio, telegram, facebook, rest…")
    reason: Reason
    priority: int = Field(3, ge=1, le=5)
    summary: Summary = Field(default_factory=Summary)
    mood: str | None = Field(None, max_length=50, description="e.g. 'en colère' when detected")


class HandoffTicket(BaseModel):
    """What the shopper is told next depends on these."""

    id: int
    conversation_id: str
    status: str  # waiting | assigned | resolved | returned
    open_now: bool  # within the team's opening hours
    agents_online: int
    expected_wait_minutes: int | None  # None when nobody can answer now
    answer_by: datetime | None  # when nobody is online: when a person will answer


class ShopperMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class Rating(BaseModel):
    rating: int = Field(ge=1, le=5)


# Intents the back office sends through Rasa's trigger_intent (never said by shoppers).
AGENT_REPLY_INTENT = "agent_reply"  # entities: agent_text, agent_name
RESOLVED_INTENT = "handoff_resolved"  # the agent closed the case: the bot asks for a rating
RETURNED_INTENT = "handoff_returned"  # the agent gives the conversation back without closing
