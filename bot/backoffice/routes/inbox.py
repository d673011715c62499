"""Agents' inbox: the list (filters, search), live events (SSE), a conversation, reply /
resolve / hand back / reopen.

The rules of a case are in bot/backoffice/cases.py; here a refusal becomes a page (409), and a
change reaches the shopper through Rasa before it is recorded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from bot.core.handoff import (
    ACTIVE_SLOT,
    AGENT_REPLY_INTENT,
    RESOLVED_INTENT,
    RETURNED_INTENT,
    STATUS_LABELS,
    CaseStatus,
)

from .. import cases, handoffs, sessions
from ..db import Handoff, User
from ..mail import worker as mail_worker
from ..order_panel import order_rows
from ..rasa import RasaClient, RasaError, TranscriptTurn, transcript
from ..security import AgentUser, Db
from ..suggest import suggestion_query
from ..web import render

log = logging.getLogger(__name__)
router = APIRouter(prefix="/inbox")
SUGGESTIONS = 3


def _handoff(db: Session, handoff_id: int) -> Handoff:
    try:
        return cases.get(db, handoff_id)
    except cases.CaseNotFound:
        raise HTTPException(404, "Transfert introuvable.") from None


def _refused(request: Request, error: cases.CaseClosed | cases.CaseTaken) -> Response:
    """The page that says why nothing happened (nothing was sent to the shopper either)."""
    if isinstance(error, cases.CaseClosed):
        message = f"Ce cas est déjà clos ({STATUS_LABELS[error.status]}) : rien n'a été envoyé."
    else:
        message = f"Ce cas est déjà pris en charge par {error.owner or 'un autre conseiller'}."
    return render(request, "error.html", {"message": message}, status_code=409)


def _list_context(request: Request, user: User, db: Session) -> dict[str, Any]:
    """What the list and its fragment show: the filtered cases and the signal the page uses
    to tell the agent (title count, sound, desktop notification)."""
    now = request.app.state.clock()
    chosen = cases.InboxFilter.from_query(request.query_params)
    reopened = request.query_params.get("rouvert", "")
    return {
        "f": chosen,
        "listing": cases.inbox_list(db, chosen, user, now),
        "signal": cases.signal(db, user),
        "channels": sorted({*cases.channels(db), *([chosen.channel] if chosen.channel else [])}),
        "reopened": int(reopened) if reopened.isdigit() else None,
        "now": now,
        "waited": handoffs.waited,
        "views": cases.STATUS_VIEWS,
        "headings": cases.HEADINGS,
        "who_labels": cases.WHO,
        "priority_labels": cases.PRIORITY_LABELS,
        "channel_label": cases.channel_label,
    }


@router.get("")
def inbox(request: Request, user: AgentUser, db: Db) -> Response:
    return render(request, "inbox.html", _list_context(request, user, db))


@router.get("/queue")
def queue_fragment(request: Request, user: AgentUser, db: Db) -> Response:
    return render(request, "_queue.html", _list_context(request, user, db))


def _touch(request: Request, user_id: int, session_id: str) -> bool:
    """Keep the agent's presence fresh; False once the session has ended (logout, password
    change, deactivation), which closes the stream."""
    with request.app.state.sessions() as db:
        now = request.app.state.clock()
        user = db.get(User, user_id)
        if user is None or not user.active or sessions.valid(db, session_id, now) is None:
            return False
        user.last_seen = now
        db.commit()
        return True


@router.get("/events")
async def events(request: Request, user: AgentUser) -> StreamingResponse:
    """Server-Sent Events: `handoff` (created / changed) and `message` (new message), with the
    hand-off id; keeps the agent's presence fresh while the page is open."""
    broadcaster = request.app.state.broadcaster
    client = broadcaster.subscribe()
    keepalive = request.app.state.sse_keepalive
    user_id = user.id
    session_id = sessions.token_digest(request) or ""

    async def stream() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\nevent: ready\ndata: {}\n\n"
            while not await request.is_disconnected():
                try:
                    yield await asyncio.wait_for(client[1].get(), timeout=keepalive)
                except asyncio.TimeoutError:
                    if not await asyncio.to_thread(_touch, request, user_id, session_id):
                        return
                    yield ": keep-alive\n\n"
        finally:
            broadcaster.unsubscribe(client)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _page(
    request: Request,
    db: Session,
    handoff: Handoff,
    *,
    error: str | None = None,
    draft: str = "",
    status_code: int = 200,
) -> Response:
    state = request.app.state
    turns: list[TranscriptTurn] = []
    tracker_error: str | None = None
    slots: dict[str, Any] = {}
    try:
        tracker = await state.rasa.tracker(handoff.conversation_id)
        turns = transcript(tracker)
        slots = tracker.get("slots") or {}
    except RasaError as problem:
        tracker_error = str(problem)
    question = suggestion_query(
        [t.text for t in turns if t.sender == "shopper" and not t.text.startswith("[choix]")]
        + [m.text for m in handoff.messages if m.sender == "shopper"],
        str((handoff.summary or {}).get("request") or ""),
    )
    suggestions: list[Any] = []
    if question.strip():
        try:
            result = await asyncio.to_thread(state.kb.search, question, SUGGESTIONS)
            suggestions = list(result.hits)
        except Exception:  # noqa: BLE001 - suggestions are a help, never a blocker
            log.exception("suggestions unavailable handoff=%s", handoff.id)
    order_facts = slots.get("order_facts")
    context = {
        "handoff": handoff,
        "turns": turns,
        "tracker_error": tracker_error,
        "verified_order": slots.get("verified_order"),
        "order_rows": order_rows(order_facts if isinstance(order_facts, dict) else None),
        "suggestions": suggestions,
        "question": question,
        "error": error,
        "draft": draft,
        "now": state.clock(),
        "waited": handoffs.waited,
        "reply_email": mail_worker.masked_address(db, handoff),  # after-hours e-mail replies
    }
    return render(request, "conversation.html", context, status_code=status_code)


@router.get("/{handoff_id}")
async def conversation(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    return await _page(request, db, _handoff(db, handoff_id))


@router.get("/{handoff_id}/messages")
def messages_fragment(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    return render(request, "_messages.html", {"handoff": _handoff(db, handoff_id)})


@router.post("/{handoff_id}/assign")
def assign(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    handoff = _handoff(db, handoff_id)
    try:
        taken = cases.assign(db, handoff, user, request.app.state.clock())
    except (cases.CaseClosed, cases.CaseTaken) as error:
        return _refused(request, error)
    if taken:
        request.app.state.broadcaster.publish("handoff", id=handoff.id, change="assigned")
    return RedirectResponse(f"/inbox/{handoff.id}", status_code=303)


@router.post("/{handoff_id}/reply")
async def reply(
    handoff_id: int,
    request: Request,
    user: AgentUser,
    db: Db,
    text: Annotated[str, Form(min_length=1, max_length=4000)],
) -> Response:
    handoff = _handoff(db, handoff_id)
    try:
        text = cases.reply_text(handoff, text)
    except cases.EmptyReply:
        return await _page(request, db, handoff, error="Le message est vide.", status_code=422)
    except cases.CaseClosed as error:
        return _refused(request, error)
    try:
        await request.app.state.rasa.trigger_intent(
            handoff.conversation_id,
            AGENT_REPLY_INTENT,
            {"agent_text": text, "agent_name": user.display_name},
        )
    except RasaError as problem:
        return await _page(
            request,
            db,
            handoff,
            draft=text,
            status_code=502,
            error=f"Message NON envoyé : {problem}. Votre texte est conservé ci-dessous, "
            "réessayez dans un instant.",
        )
    cases.record_reply(db, handoff, user, text, request.app.state.clock())
    mail_worker.after_reply(request.app.state, db, handoff, user.display_name, text)
    request.app.state.broadcaster.publish("message", id=handoff.id)
    return RedirectResponse(f"/inbox/{handoff.id}", status_code=303)


# How a case is closed: what Rasa is told (the bot's next words), then what is recorded.
CLOSINGS = {
    CaseStatus.resolved: (RESOLVED_INTENT, cases.resolve),
    CaseStatus.returned: (RETURNED_INTENT, cases.hand_back),
}


async def _close(
    request: Request, user: User, db: Session, handoff_id: int, status: CaseStatus
) -> Response:
    handoff = _handoff(db, handoff_id)
    try:
        cases.ensure_open(handoff)
    except cases.CaseClosed as error:
        return _refused(request, error)
    intent, close = CLOSINGS[status]
    try:
        await request.app.state.rasa.trigger_intent(handoff.conversation_id, intent, {})
    except RasaError as problem:
        return await _page(
            request,
            db,
            handoff,
            status_code=502,
            error=f"Action NON effectuée : {problem}. Le cas reste ouvert.",
        )
    close(db, handoff, user, request.app.state.clock())
    request.app.state.broadcaster.publish("handoff", id=handoff.id, change=status.value)
    return RedirectResponse("/inbox", status_code=303)


@router.post("/{handoff_id}/resolve")
async def resolve(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    return await _close(request, user, db, handoff_id, CaseStatus.resolved)


@router.post("/{handoff_id}/return")
async def hand_back(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    return await _close(request, user, db, handoff_id, CaseStatus.returned)


async def _agents_have_it_again(rasa: RasaClient, conversation_id: str) -> None:
    """Tell Rasa a person has the conversation again (the slot the action server sets when a
    case opens), so that the shopper's next messages reach the agent instead of the bot."""
    await rasa.set_slot(conversation_id, ACTIVE_SLOT, True)


def _reopen_refused(request: Request, error: cases.CaseError) -> Response:
    link: tuple[str, str] | None
    if isinstance(error, cases.CaseNotClosed):
        message = f"Ce cas est déjà ouvert ({STATUS_LABELS[error.status]}) : rien n'a changé."
        link = None
    elif isinstance(error, cases.CaseSuperseded):
        message = (
            "Le client est revenu entre-temps : sa conversation a déjà un cas ouvert "
            f"(n° {error.other_id}), à traiter à la place de celui-ci."
        )
        link = (f"/inbox/{error.other_id}", f"Ouvrir le cas n° {error.other_id}")
    elif isinstance(error, cases.ReopenTooLate):
        message = (
            f"Ce cas est clos depuis plus de {error.days} jours : il ne peut plus être rouvert. "
            "Si le client revient, sa demande ouvrira un nouveau cas."
        )
        link = None
    else:
        message, link = "Seuls les conseillers peuvent rouvrir un cas.", None
    return render(request, "error.html", {"message": message, "link": link}, status_code=409)


def _back_to_list(back: str, handoff_id: int) -> str:
    """The list the agent came from (its filters only, rebuilt: never an outside address),
    saying which case was reopened."""
    params = dict(parse_qsl(urlsplit(back).query)) if back.startswith("/inbox") else {}
    query = cases.InboxFilter.from_query(params).params()
    query["rouvert"] = str(handoff_id)
    return f"/inbox?{urlencode(query)}"


@router.post("/{handoff_id}/reopen")
async def reopen(
    handoff_id: int,
    request: Request,
    user: AgentUser,
    db: Db,
    pour: Annotated[str, Form(pattern="^(attente|moi)$")] = "attente",
    retour: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Reopen a closed case, back to the queue (`pour=attente`) or to oneself (`pour=moi`).
    The rules are cases.check_reopen's; Rasa is told first (the shopper's next words go to the
    agents again), the case is recorded once Rasa has it."""
    handoff = _handoff(db, handoff_id)
    now = request.app.state.clock()
    try:
        cases.check_reopen(db, handoff, user, now)
    except cases.CaseError as error:
        return _reopen_refused(request, error)
    try:
        await _agents_have_it_again(request.app.state.rasa, handoff.conversation_id)
    except RasaError as problem:
        return render(
            request,
            "error.html",
            {"message": f"Cas NON rouvert : {problem}. Réessayez dans un instant."},
            status_code=502,
        )
    try:
        cases.reopen(db, handoff, user, now, to_me=pour == "moi")
    except cases.CaseError as error:  # a new case of the conversation opened meanwhile
        return _reopen_refused(request, error)
    request.app.state.broadcaster.publish("handoff", id=handoff.id, change="reopened")
    if pour == "moi":
        return RedirectResponse(f"/inbox/{handoff.id}", status_code=303)
    return RedirectResponse(_back_to_list(retour, handoff.id), status_code=303)
