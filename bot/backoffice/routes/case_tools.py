"""The case page's tools, for agents and admins: private notes beside the transcript, reassign
to a colleague, canned replies shared by the team (inserted with their variables filled).

The case page (routes/inbox.py, conversation.html) loads these panels through htmx; every form
also works as a plain POST (then answered with a redirect to the case). The rules are in
bot/backoffice/case_tools.py. Nothing here calls Rasa: a note cannot reach the shopper.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.core.handoff import STATUS_LABELS, CaseStatus

from .. import case_tools, cases
from ..db import Handoff, Role, User
from ..rasa import RasaError
from ..security import AgentUser, Db
from ..web import render

log = logging.getLogger(__name__)
router = APIRouter()
NoteText = Annotated[str, Form(max_length=20_000)]
# What the canned replies' page says after a change (?fait=…).
DONE = {
    "cree": "Réponse type enregistrée : toute l'équipe peut l'insérer.",
    "modifie": "Réponse type modifiée.",
    "supprime": "Réponse type supprimée.",
}


def _case(db: Session, handoff_id: int) -> Handoff:
    try:
        return cases.get(db, handoff_id)
    except cases.CaseNotFound:
        raise HTTPException(404, "Transfert introuvable.") from None


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# ── Private notes ─────────────────────────────────────────────────────────────────────────


def _notes(request: Request, db: Session, case: Handoff, **extra: Any) -> Response:
    status_code = extra.pop("status_code", 200)
    context = {"handoff": case, "notes": case_tools.notes(db, case.id), **extra}
    return render(request, "_case_notes.html", context, status_code=status_code)


@router.get("/inbox/{handoff_id}/notes")
def notes(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    return _notes(request, db, _case(db, handoff_id))


@router.post("/inbox/{handoff_id}/notes")
def add_note(
    handoff_id: int, request: Request, user: AgentUser, db: Db, text: NoteText = ""
) -> Response:
    """A private note: stored in the back office only (never a message of the case, never sent
    to Rasa)."""
    case = _case(db, handoff_id)
    try:
        case_tools.add_note(db, case, user, text, request.app.state.clock())
    except case_tools.ToolError as error:
        if _htmx(request):
            return _notes(request, db, case, error=error.message, status_code=422)
        return render(
            request,
            "error.html",
            {"message": error.message, "link": (f"/inbox/{case.id}", "Retour à la conversation")},
            status_code=422,
        )
    # Colleagues on the page refresh their list; no text in the event, only the case's id.
    request.app.state.broadcaster.publish("note", id=case.id)
    if _htmx(request):
        response = _notes(request, db, case, saved=True)
        response.headers["HX-Trigger"] = "case-note-saved"
        return response
    return RedirectResponse(f"/inbox/{case.id}#notes-h", status_code=303)


# ── Reassign ──────────────────────────────────────────────────────────────────────────────


def _assignment(request: Request, db: Session, case: Handoff, user: User, **extra: Any) -> Response:
    status_code = extra.pop("status_code", 200)
    context = {
        "handoff": case,
        "colleagues": [c for c in case_tools.colleagues(db) if c.id != case.assigned_to],
        "can_reassign": case.is_open
        and (
            case.status is not CaseStatus.assigned
            or case.assigned_to in (None, user.id)
            or user.role == Role.admin.value
        ),
        **extra,
    }
    return render(request, "_case_assignment.html", context, status_code=status_code)


@router.get("/inbox/{handoff_id}/assignment")
def assignment(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    return _assignment(request, db, _case(db, handoff_id), user)


@router.post("/inbox/{handoff_id}/reassign")
def reassign(
    handoff_id: int,
    request: Request,
    user: AgentUser,
    db: Db,
    user_id: Annotated[int, Form()],
) -> Response:
    case = _case(db, handoff_id)
    try:
        changed = case_tools.reassign(db, case, user, user_id, request.app.state.clock())
    except (case_tools.ToolError, cases.CaseClosed) as error:
        if isinstance(error, cases.CaseClosed):
            message = f"Ce cas est déjà clos ({STATUS_LABELS[error.status]}) : rien n'a changé."
            status_code = 409
        else:
            message = error.message
            status_code = 403 if isinstance(error, case_tools.NotYourCase) else 422
        if _htmx(request):
            return _assignment(request, db, case, user, error=message, status_code=status_code)
        return render(
            request,
            "error.html",
            {"message": message, "link": (f"/inbox/{case.id}", "Retour à la conversation")},
            status_code=status_code,
        )
    if changed:
        # `to`: the new owner, so that their page can tell them the case is now theirs.
        request.app.state.broadcaster.publish(
            "handoff", id=case.id, change="reassigned", to=case.assigned_to
        )
    if _htmx(request):
        owner = case.agent.display_name if case.agent else ""
        done = (
            "Ce cas vous est attribué."
            if case.assigned_to == user.id
            else f"C'est fait : le cas est maintenant suivi par {owner}."
        )
        response = _assignment(request, db, case, user, done=done if changed else None)
        response.headers["HX-Trigger"] = "case-reassigned"
        return response
    return RedirectResponse(f"/inbox/{case.id}", status_code=303)


# ── Canned replies: inserted on the case page ──────────────────────────────────────────────


@router.get("/inbox/{handoff_id}/canned")
async def canned_for_case(handoff_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    """The team's canned replies, their variables filled for this case ({prenom} from the
    verified order, {commande} its number)."""
    case = _case(db, handoff_id)
    slots: dict[str, Any] = {}
    try:
        tracker = await request.app.state.rasa.tracker(case.conversation_id)
        slots = tracker.get("slots") or {}
    except RasaError:
        log.info("canned replies without the tracker handoff=%s", case.id)
    variables = case_tools.case_variables(case, slots)
    replies = [(r, case_tools.fill(r.body, variables)) for r in case_tools.canned_replies(db)]
    return render(
        request,
        "_case_canned.html",
        {"handoff": case, "replies": replies, "variables": variables},
    )


# ── Canned replies: the team's list ───────────────────────────────────────────────────────


def _canned_page(
    request: Request,
    db: Session,
    *,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "canned.html",
        {
            "replies": case_tools.canned_replies(db),
            "form": form or {"title": "", "body": ""},
            "error": error,
            "done": done,
        },
        status_code=status_code,
    )


@router.get("/canned")
def canned_list(request: Request, user: AgentUser, db: Db, fait: str = "") -> Response:
    return _canned_page(request, db, done=DONE.get(fait))


@router.post("/canned")
def canned_create(
    request: Request,
    user: AgentUser,
    db: Db,
    title: Annotated[str, Form(max_length=1000)] = "",
    body: NoteText = "",
) -> Response:
    try:
        case_tools.create_canned(db, user, title, body, request.app.state.clock())
    except case_tools.ToolError as error:
        form = {"title": title, "body": body}
        return _canned_page(request, db, form=form, error=error.message, status_code=422)
    return RedirectResponse("/canned?fait=cree", status_code=303)


def _reply(db: Session, reply_id: int) -> Any:
    try:
        return case_tools.canned_reply(db, reply_id)
    except case_tools.CannedNotFound as error:
        raise HTTPException(404, error.message) from None


@router.get("/canned/{reply_id}/edit")
def canned_edit(reply_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    reply = _reply(db, reply_id)
    return render(
        request,
        "canned_form.html",
        {"reply": reply, "form": {"title": reply.title, "body": reply.body}, "error": None},
    )


@router.post("/canned/{reply_id}")
def canned_update(
    reply_id: int,
    request: Request,
    user: AgentUser,
    db: Db,
    title: Annotated[str, Form(max_length=1000)] = "",
    body: NoteText = "",
) -> Response:
    reply = _reply(db, reply_id)
    try:
        case_tools.update_canned(db, reply, user, title, body, request.app.state.clock())
    except case_tools.ToolError as error:
        db.rollback()
        return render(
            request,
            "canned_form.html",
            {"reply": reply, "form": {"title": title, "body": body}, "error": error.message},
            status_code=422,
        )
    return RedirectResponse("/canned?fait=modifie", status_code=303)


@router.post("/canned/{reply_id}/delete")
def canned_delete(reply_id: int, request: Request, user: AgentUser, db: Db) -> Response:
    case_tools.delete_canned(db, _reply(db, reply_id))
    return RedirectResponse("/canned?fait=supprime", status_code=303)
