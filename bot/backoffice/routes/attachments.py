"""Photos from the widget: the upload (open to the widget's pages), and who may see them.

    POST /api/attachments          the widget, cross-origin (CORS for COMPTOIR_WIDGET_ORIGINS):
                                   multipart `conversation` (its signed id) + `photo`
    GET  /photos/{id}              an agent or admin logged in, or the shop with a signed link
    GET  /inbox/{handoff_id}/photos  the case page's "Photos du client" panel (htmx)

The upload is not a service call (no bearer token: a browser sends it) and carries no session:
what proves the conversation is its id, signed by the widget's channel (bot/core/edge.py).
Once kept, the photo goes where the conversation is: onto its open case (the agent is told at
once), else to the bot as the `photo_sent` intent through Rasa's trigger_intent, which the
damaged-item claim waits for (actions/claims.py).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from bot.clients.backoffice import photo_links
from bot.core.edge import WebConversationIds

from .. import attachments, cases
from ..db import Attachment, Handoff
from ..rasa import RasaError
from ..security import AGENT_ROLES, AgentUser, Db, LoginRequired, session_user
from ..web import render

log = logging.getLogger(__name__)
router = APIRouter()
PHOTO_SENT_INTENT = "photo_sent"
CASE_NOTE = "Photo jointe par le client (voir « Photos du client »)."
BOT_UNREACHABLE = "Votre photo n'a pas pu être transmise pour le moment. Réessayez dans un instant."


def _conversation_ids(request: Request) -> WebConversationIds:
    """The widget channel's signer, made once per app (tests put their own on app.state)."""
    state = request.app.state
    ids = getattr(state, "conversation_ids", None)
    if ids is None:
        ids = state.conversation_ids = WebConversationIds.from_environment()
    return ids


def _cors(request: Request) -> dict[str, str]:
    origin = request.headers.get("origin", "").rstrip("/")
    allowed = attachments.upload_origins(request.app.state.settings)
    headers = {"Vary": "Origin"}
    if origin in allowed:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def _answer(request: Request, status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=_cors(request))


@router.options("/api/attachments", include_in_schema=False)
async def upload_preflight(request: Request) -> Response:
    headers = _cors(request)
    if "Access-Control-Allow-Origin" in headers:
        headers["Access-Control-Allow-Methods"] = "POST"
        headers["Access-Control-Max-Age"] = "600"
    return Response(status_code=204, headers=headers)


@router.post("/api/attachments", include_in_schema=False)
async def upload(request: Request, db: Db) -> JSONResponse:
    settings = request.app.state.settings
    origin = request.headers.get("origin")
    if origin and "Access-Control-Allow-Origin" not in _cors(request):
        log.warning("attachment refused: origin not allowed")
        return _answer(request, 403, {"detail": attachments.SIGNATURE_REFUSED})
    # Bounded before the form is even parsed: a 50 MB body is not read into memory.
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.attachment_max_bytes + 65536:
        return _answer(request, 413, {"detail": attachments.too_big(settings.attachment_max_bytes)})
    try:
        form = await request.form(max_files=1, max_fields=4)
    except Exception:  # noqa: BLE001 - a malformed body is the sender's problem, said plainly
        return _answer(request, 422, {"detail": attachments.TYPE_REFUSED})
    conversation = form.get("conversation")
    photo = form.get("photo")
    if not isinstance(conversation, str) or not _conversation_ids(request).valid(conversation):
        return _answer(request, 403, {"detail": attachments.SIGNATURE_REFUSED})
    if not isinstance(photo, UploadFile) and not hasattr(photo, "read"):
        return _answer(request, 422, {"detail": attachments.EMPTY_REFUSED})
    data = await photo.read(settings.attachment_max_bytes + 1)  # type: ignore[union-attr]
    now = request.app.state.clock()
    try:
        stored = attachments.store(db, settings, conversation, data, now)
    except attachments.Refused as refused:
        log.info("attachment refused conversation=%s status=%s", conversation, refused.status)
        return _answer(request, refused.status, {"detail": refused.message})
    body = {"id": stored.id, "type": stored.content_type, "size": stored.size}
    try:
        case, message = cases.relay(db, conversation, CASE_NOTE, now)
    except cases.NoOpenCase:
        case = None
    if case is not None:
        request.app.state.broadcaster.publish("message", id=case.id, message=message.id)
        return _answer(request, 201, {**body, "to": "agent"})
    try:
        await request.app.state.rasa.trigger_intent(
            conversation, PHOTO_SENT_INTENT, {"attachment_id": stored.id}
        )
    except RasaError:
        attachments.erase_one(db, settings, stored.id)
        return _answer(request, 503, {"detail": BOT_UNREACHABLE})
    return _answer(request, 201, {**body, "to": "bot"})


def _photo_response(settings: Any, attachment: Attachment) -> Response:
    data = attachments.read(settings, attachment)
    if data is None:
        raise HTTPException(404, "Photo introuvable.")
    name = f"photo.{attachments.EXTENSIONS.get(attachment.content_type, 'bin')}"
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


@router.get("/photos/{attachment_id}")
def photo(
    attachment_id: str,
    request: Request,
    db: Db,
    expires: int | None = None,
    sig: str | None = None,
) -> Response:
    """An agent's (session, agent or admin role) or the shop's (signed link, until it expires)."""
    state = request.app.state
    attachment = db.get(Attachment, attachment_id)
    if sig is not None and expires is not None:
        if attachment is None or not photo_links.valid(
            state.service_token, attachment_id, expires, sig, state.clock()
        ):
            raise HTTPException(403, "Lien expiré ou invalide.")
        return _photo_response(state.settings, attachment)
    user = session_user(request, db)
    if user is None:
        raise LoginRequired()
    if user.role not in AGENT_ROLES:
        raise HTTPException(403, "Accès réservé à un autre rôle.")
    if attachment is None:
        raise HTTPException(404, "Photo introuvable.")
    return _photo_response(state.settings, attachment)


def _case(db: Session, handoff_id: int) -> Handoff:
    try:
        return cases.get(db, handoff_id)
    except cases.CaseNotFound:
        raise HTTPException(404, "Transfert introuvable.") from None


@router.get("/inbox/{handoff_id}/photos")
def case_photos(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    case = _case(db, handoff_id)
    photos = attachments.of_conversation(db, case.conversation_id)
    return render(request, "_case_photos.html", {"handoff": case, "photos": photos})
