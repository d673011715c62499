"""Service API of after-hours e-mail replies (bot/backoffice/mail), for the action server and
the widget's page:

POST /api/handoffs/{conversation_id}/email  {"email"}  -> 204: this open case's replies are
     also mailed to the address (404: no open case; 422: not a sane address)
POST /api/reprise                           {"token"}  -> the conversation a mail's link
     reopens: its signed id, its messages as the widget shows them, whether a person has it
     (404: the link is malformed, tampered with, expired, or its conversation was erased)
Both need the service token (the page's server calls the second on the shopper's behalf).
"""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import BaseModel, Field

from bot.core import replies
from bot.core.email_address import valid_address

from .. import cases
from ..mail import links, outbox
from ..mail.message import first_name
from ..rasa import RasaError, TranscriptTurn, transcript
from ..sanitize import NO_CONTROLS
from ..security import Db, require_service

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", dependencies=[Depends(require_service)], tags=["service"])
ConversationId = Annotated[str, Path(max_length=255, pattern=NO_CONTROLS)]
# "Julie, du service client, a rejoint la conversation.", whatever the name.
_NAME = "\x00"
JOINED = re.compile(re.escape(replies.AGENT_JOINED.format(name=_NAME)).replace(_NAME, ".{1,40}"))


class EmailIn(BaseModel):
    email: str = Field(min_length=3, max_length=254)


class ResumeIn(BaseModel):
    token: str = Field(min_length=1, max_length=100)


@router.post("/handoffs/{conversation_id}/email", status_code=204)
def register_email(
    conversation_id: ConversationId, body: EmailIn, request: Request, db: Db
) -> Response:
    address = valid_address(body.email)
    if address is None or address != body.email.strip():
        raise HTTPException(422, "not a sane e-mail address")
    case = cases.find_open(db, conversation_id)
    if case is None:
        raise HTTPException(404, "no open hand-off for this conversation")
    outbox.set_contact(db, case, address, request.app.state.clock())
    request.app.state.broadcaster.publish("handoff", id=case.id, change="email")
    log.info("reply address registered case=%s", case.id)
    return Response(status_code=204)


def widget_history(turns: list[TranscriptTurn]) -> list[dict[str, Any]]:
    """The transcript as the widget keeps its history (bot/web/static/comptoir.js)."""
    history: list[dict[str, Any]] = []
    for turn in turns:
        at = int(turn.timestamp * 1000) if turn.timestamp else None
        if turn.sender == "shopper":
            text = turn.text.removeprefix("[choix] ")
            history.append({"from": "user", "text": text, "at": at})
        elif turn.sender == "agent":
            name = first_name(turn.author or "")
            history.append({"from": "agent", "agent": name, "text": turn.text, "at": at})
        elif turn.sender == "bot" and JOINED.fullmatch(turn.text):
            # said with the agent's first reply, but Rasa records it after: shown before it
            name = turn.text.split(",", 1)[0]
            note = {"from": "note", "agent": name, "text": turn.text, "at": at}
            before = len(history) - 1 if history and history[-1]["from"] == "agent" else None
            history.insert(len(history) if before is None else before, note)
        elif turn.sender == "bot":
            history.append({"from": "bot", "text": turn.text, "at": at})
        else:
            history.append({"from": "note", "text": turn.text, "at": at})
    return history[-200:]


@router.post("/reprise")
async def resume(body: ResumeIn, request: Request, db: Db) -> dict[str, Any]:
    state = request.app.state
    now = state.clock()
    row_id = links.read_token(state.settings.secret("mail_link_secret"), body.token, now)
    row = outbox.linked(db, row_id) if row_id is not None else None
    if row is None:
        raise HTTPException(404, "this link is not valid (any more)")
    try:
        tracker = await state.rasa.tracker(row.conversation_id)
    except RasaError:
        log.exception("conversation unavailable for a mail link row=%s", row.id)
        raise HTTPException(503, "the conversation is unavailable right now") from None
    case = cases.find_open(db, row.conversation_id)
    history = widget_history(transcript(tracker))
    agents = [h["agent"] for h in history if h["from"] == "agent"]
    return {
        "session_id": row.conversation_id,
        "history": history,
        "handoff": case is not None,
        "agent": agents[-1] if agents and case is not None else None,
    }
