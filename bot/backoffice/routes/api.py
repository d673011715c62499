"""Service API for the action server (contract: bot/clients/backoffice/models.py).

Bodies are the contract's models with control characters removed from every text before
validation (bot/backoffice/sanitize.py); a conversation id carrying one is refused (422).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import field_validator

from bot.clients.backoffice.models import HandoffRequest, HandoffTicket, Rating, ShopperMessage

from .. import cases, handoffs
from ..alerts import schedule_alert
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
    case, created = cases.open_case(db, body, now)
    if created:
        state.broadcaster.publish("handoff", id=case.id, change="created")
        schedule_alert(case, state.settings)
    return handoffs.ticket(db, case, now, state.settings)


@router.post("/handoffs/{conversation_id}/messages", status_code=202)
async def relay_message(
    conversation_id: ConversationId, body: ShopperMessageIn, request: Request, db: Db
) -> dict[str, int | str]:
    try:
        case, message = cases.relay(db, conversation_id, body.text, request.app.state.clock())
    except cases.NoOpenCase:
        raise HTTPException(404, "no open hand-off for this conversation") from None
    request.app.state.broadcaster.publish("message", id=case.id, message=message.id)
    # "waiting": no agent has the case yet, so the bot may still answer simple questions.
    return {"handoff": case.id, "message": message.id, "status": case.status.value}


@router.post("/handoffs/{conversation_id}/rating", status_code=204)
async def rate(
    conversation_id: ConversationId, body: RatingIn, request: Request, db: Db
) -> Response:
    try:
        case = cases.rate(db, conversation_id, body.rating, request.app.state.clock())
    except cases.RatingNotAllowed:
        raise HTTPException(404, "no resolved hand-off for this conversation") from None
    request.app.state.broadcaster.publish("handoff", id=case.id, change="rated")
    return Response(status_code=204)
