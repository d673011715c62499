"""Delay notices over HTTP: the action server's watches and stops (service token), and the
shop's webhook (authenticated by the platform's own HMAC, no token).

A watch after a "stop" does not resume notices: proving one owns an order is not asking to be
written to. Only a watch sent with `"resume": true` (the shopper explicitly asked to be told
again) lifts the stop. The answers say whether notices go to the conversation (`active`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import Field, field_validator

from bot.clients.shop.delays import BadSignature

from ..notices import queue, sources, worker
from ..sanitize import NO_CONTROLS, Cleaned, has_controls
from ..security import Db, require_service

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", dependencies=[Depends(require_service)], tags=["notices"])
webhooks = APIRouter(prefix="/api/webhooks", tags=["notices"])
ConversationId = Annotated[str, Path(max_length=255, pattern=NO_CONTROLS)]
MAX_WEBHOOK_BYTES = 1 << 20  # an order update is a few kB; Shopify's largest are ~100 kB


class WatchIn(Cleaned):
    KEEP = frozenset({"conversation_id", "order_number"})

    conversation_id: str = Field(min_length=1, max_length=255)
    order_number: str = Field(min_length=1, max_length=100)
    channel: str = Field(min_length=1, max_length=50)
    resume: bool = False  # the shopper asked for notices again after a "stop"

    @field_validator("conversation_id", "order_number")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if has_controls(value):
            raise ValueError("control characters are not allowed in an identifier")
        value = value.strip()
        if not value:
            raise ValueError("empty identifier")
        return value


@router.post("/watches", status_code=200)
async def add_watch(body: WatchIn, request: Request, db: Db) -> dict[str, Any]:
    state = request.app.state
    now = state.clock()
    row, active = queue.watch(
        db,
        body.conversation_id,
        body.order_number,
        body.channel,
        now,
        timedelta(days=state.settings.notice_watch_days),
        resume=body.resume,
    )
    return {
        "conversation_id": row.conversation_id,
        "order_number": row.order_number,
        "expires_at": row.expires_at.isoformat(timespec="seconds"),
        "active": active,
    }


@router.post("/watches/{conversation_id}/stop", status_code=200)
async def stop_notices(conversation_id: ConversationId, request: Request, db: Db) -> dict[str, Any]:
    skipped = queue.stop(db, conversation_id, request.app.state.clock())
    return {"conversation_id": conversation_id, "active": False, "skipped": skipped}


@webhooks.post("/shop", status_code=200)
async def shop_webhook(request: Request) -> dict[str, int]:
    """200 only once the event's notices are committed: the shop retries anything else."""
    state = request.app.state
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise HTTPException(413, "body too large")
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise HTTPException(413, "body too large")
    try:
        event = await asyncio.to_thread(sources.read_webhook, state, body, request.headers)
    except BadSignature:
        log.warning("shop webhook refused: bad signature")
        raise HTTPException(401, "bad signature") from None
    except sources.NoWebhooks:
        raise HTTPException(404, "this shop sends no webhooks") from None
    if event is None:
        return {"notices": 0}

    def store() -> int:
        with state.sessions() as db:
            return queue.store_event(db, event, state.clock())

    added = await asyncio.to_thread(store)
    if added:
        worker.wake(state)
    log.info("shop webhook: delay event=%s notices=%s", event.event_id, added)
    return {"notices": added}
