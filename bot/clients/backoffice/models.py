"""Wire models of the hand-off API that the back office serves and the action server calls.

POST /api/handoffs                          HandoffRequest  -> HandoffTicket   (201)
POST /api/handoffs/{conversation_id}/messages  ShopperMessage -> 202 (relayed to the inbox)
POST /api/handoffs/{conversation_id}/rating    Rating         -> 204 (CSAT after resolution)
All three need `Authorization: Bearer <service token>` (Settings.secret("service_token")).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from bot.core.handoff import PRIORITY, CaseStatus, Reason

__all__ = [
    "PRIORITY",
    "CaseStatus",
    "HandoffRequest",
    "HandoffTicket",
    "Rating",
    "Reason",
    "ShopperMessage",
    "Summary",
    "Turn",
]


class Turn(BaseModel):
    sender: str = Field(pattern="^(shopper|bot|agent)$")
    text: str = Field(max_length=4000)


class Summary(BaseModel):
    """What the agent reads before the transcript: nothing the shopper must repeat."""

    request: str = Field("", max_length=500, description="what the shopper wanted, in French")
    order_number: str | None = Field(None, description="only when ownership was verified")
    # Who the shopper is, from the verified order (the inbox lists and searches them).
    customer_name: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
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
    status: CaseStatus
    open_now: bool  # within the team's opening hours
    agents_online: int
    expected_wait_minutes: int | None  # None when nobody can answer now
    answer_by: datetime | None  # when nobody is online: when a person will answer


class ShopperMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class Rating(BaseModel):
    rating: int = Field(ge=1, le=5)
