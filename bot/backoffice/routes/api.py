"""Service API for the action server (contract: bot/clients/backoffice/models.py).

Bodies are the contract's models with control characters removed from every text before
validation (bot/backoffice/sanitize.py); a conversation id carrying one is refused (422).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import field_validator
from sqlalchemy import select

from bot.clients.backoffice.models import HandoffRequest, HandoffTicket, Rating, ShopperMessage

from .. import handoffs as service
from ..alerts import schedule_alert
from ..db import Handoff
from ..sanitize import NO_CONTROLS, Cleaned, has_controls
from ..security import Db, require_service

router = APIRouter(prefix="/api", dependencies=[Depends(require_service)], tags=["service"])
ConversationId = Annotated[str, Path(max_length=255, pattern=NO_CONTROLS)]


class HandoffIn(Cleaned, HandoffRequest):
    KEEP = frozenset({"conversation_id"})

    @field_validator("conversation_id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if has_controls(value):
            raise ValueError("control characters are not allowed in a conversation id")
        return value


class ShopperMessageIn(Cleaned, ShopperMessage):
    pass


class RatingIn(Cleaned, Rating):
    pass


@router.post("/handoffs", status_code=201, response_model=HandoffTicket)
async def create_handoff(body: HandoffIn, request: Request, db: Db) -> HandoffTicket:
    state = request.app.state
    now = state.clock()
    handoff, created = service.create_or_get(db, body, now)
    if created:
        state.broadcaster.publish("handoff", id=handoff.id, change="created")
        schedule_alert(handoff, state.settings)
    return service.ticket(db, handoff, now, state.settings)


@router.post("/handoffs/{conversation_id}/messages", status_code=202)
async def relay_message(
    conversation_id: ConversationId, body: ShopperMessageIn, request: Request, db: Db
) -> dict[str, int | str]:
    handoff = service.open_handoff(db, conversation_id)
    if handoff is None:
        raise HTTPException(404, "no open hand-off for this conversation")
    message = service.add_message(db, handoff, "shopper", body.text, request.app.state.clock())
    request.app.state.broadcaster.publish("message", id=handoff.id, message=message.id)
    # "waiting": no agent has the case yet, so the bot may still answer simple questions.
    return {"handoff": handoff.id, "message": message.id, "status": handoff.status}


@router.post("/handoffs/{conversation_id}/rating", status_code=204)
async def rate(
    conversation_id: ConversationId, body: RatingIn, request: Request, db: Db
) -> Response:
    handoff = db.scalar(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status == "resolved")
        .order_by(Handoff.resolved_at.desc(), Handoff.id.desc())
        .limit(1)
    )
    if handoff is None:
        raise HTTPException(404, "no resolved hand-off for this conversation")
    handoff.rating = body.rating
    handoff.rated_at = request.app.state.clock()
    db.commit()
    request.app.state.broadcaster.publish("handoff", id=handoff.id, change="rated")
    return Response(status_code=204)
