"""FAQ editor: list, search, test a question, create / edit / delete (published live), history.

Edit and delete forms carry the fingerprint of the entry they were opened on (`base`); a save
whose base is no longer current is refused with 409 and the editor's text kept, beside the
version now published (faq.publish does the check and the write as one step).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.replies import REQUESTS
from bot.kb import TOPICS, Entry, KBError, Problem

from .. import faq
from ..db import FaqChange
from ..rasa import RasaError
from ..security import Db, EditorUser
from ..web import clock_time, render

router = APIRouter(prefix="/faq")
Text = Annotated[str, Form(max_length=20_000)]
Base = Annotated[str, Form(max_length=64)]


@router.get("")
def index(request: Request, user: EditorUser, q: str = "", topic: str = "") -> Response:
    kb = request.app.state.kb
    items = faq.filter_entries(faq.entries(kb), q[:200], topic if topic in TOPICS else "")
    return render(
        request,
        "faq_list.html",
        {
            "entries": items,
            "q": q,
            "topic": topic,
            "topics": TOPICS,
            "version": kb.current_version(),
            "bases": {e.id: faq.fingerprint(e) for e in items},
        },
    )


@router.get("/test")
async def test_question(request: Request, user: EditorUser, q: str = "") -> Response:
    """What the live bot will do with this question: Rasa's reading first (a question about an
    order starts that flow, it never reaches the FAQ), then the knowledge base if consulted."""
    q = q[:1000]
    verdict = None
    if q.strip():
        parse, error = None, None
        try:
            parse = await request.app.state.rasa.parse(q)
        except RasaError as failure:
            error = str(failure)
        verdict = await asyncio.to_thread(faq.bot_verdict, request.app.state.kb, q, parse, error)
    template = "_faq_test.html" if request.headers.get("hx-request") else "faq_test.html"
    return render(request, template, {"verdict": verdict, "q": q, "requests": REQUESTS})


@router.get("/history")
def history(request: Request, user: EditorUser, db: Db) -> Response:
    changes = db.scalars(select(FaqChange).order_by(FaqChange.id.desc()).limit(200)).all()
    return render(request, "faq_history.html", {"changes": changes})


@router.get("/new")
def new_form(request: Request, user: EditorUser) -> Response:
    return render(request, "faq_form.html", {"form": {}, "topics": TOPICS, "creating": True})


def _form_page(
    request: Request,
    form: dict[str, str],
    creating: bool,
    *,
    problems: list[Problem],
    duplicates: list[faq.Duplicate] | None = None,
    current: Entry | None = None,
    status_code: int = 422,
) -> Response:
    return render(
        request,
        "faq_form.html",
        {
            "form": form,
            "topics": TOPICS,
            "creating": creating,
            "problems": problems,
            "invalid": {p.field for p in problems if p.field},
            "duplicates": duplicates or [],
            "current": current,
        },
        status_code=status_code,
    )


def _who_and_when(db: Session, entry_id: str, current: Entry | None) -> str:
    """« par Éric Rédacteur entre-temps (à 10 h 05) », from the history when it has the change."""
    change = faq.last_change(db, entry_id)
    published = current.to_dict() if current else None
    if change is None or change.after != published:
        return "entre-temps"
    name = change.user.display_name if change.user else "un autre utilisateur"
    return f"par {name} entre-temps (à {clock_time(change.at)})"


def _conflict_page(
    request: Request, db: Session, form: dict[str, str], current: Entry | None
) -> Response:
    """409: nothing was saved; the editor's text stays in the form, the current version beside
    it, and the form now starts from the current version (saving again is a deliberate act)."""
    when = _who_and_when(db, form["entry_id"].strip(), current)
    if current is None:
        message = (
            f"Cette entrée a été supprimée {when} : vos changements n'ont pas été "
            "enregistrés ; pour la recréer avec votre texte, publiez à nouveau."
        )
    else:
        message = (
            f"Cette entrée a été modifiée {when} : vos changements n'ont pas été "
            "enregistrés ; comparez et enregistrez à nouveau."
        )
    return _form_page(
        request,
        {**form, "base": faq.fingerprint(current)},
        current is None,
        problems=[Problem("", message)],
        current=current,
        status_code=409,
    )


def _save(
    request: Request, user: EditorUser, db: Db, form: dict[str, str], creating: bool, confirm: bool
) -> Response:
    kb = request.app.state.kb
    entry, problems = faq.parse_form(
        form["entry_id"], form["topic"], form["question"], form["alternatives"], form["answer"]
    )
    if entry is not None and creating and faq.find(kb, entry.id) is not None:
        problems.append(
            Problem("id", f"L'identifiant {entry.id} existe déjà : modifiez cette entrée.")
        )
    if entry is None or problems:
        return _form_page(request, form, creating, problems=problems)
    if not creating:  # early answer, before the duplicate check; faq.publish re-checks
        current = faq.find(kb, entry.id)
        if faq.fingerprint(current) != form["base"]:
            return _conflict_page(request, db, form, current)
    if not confirm:
        duplicates = faq.near_duplicates(kb, entry)
        if duplicates:
            return _form_page(
                request, form, creating, problems=[], duplicates=duplicates, status_code=409
            )
    try:
        faq.publish(
            kb,
            db,
            user,
            "create" if creating else "update",
            entry.id,
            entry,
            form["base"],
            request.app.state.clock(),
        )
    except faq.Conflict as conflict:
        return _conflict_page(request, db, form, conflict.current)
    except (KBError, ValueError, TimeoutError) as error:
        return _form_page(
            request,
            form,
            creating,
            problems=[Problem("", f"Publication impossible : {error}")],
            status_code=500,
        )
    return RedirectResponse(f"/faq?q={entry.id}", status_code=303)


@router.post("/new")
def create(
    request: Request,
    user: EditorUser,
    db: Db,
    entry_id: Text,
    topic: Text,
    question: Text,
    alternatives: Text,
    answer: Text,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {
        "entry_id": entry_id,
        "topic": topic,
        "question": question,
        "alternatives": alternatives,
        "answer": answer,
        "base": "",
    }
    return _save(request, user, db, form, True, bool(confirm))


@router.get("/{entry_id}/edit")
def edit_form(entry_id: str, request: Request, user: EditorUser) -> Response:
    entry = faq.find(request.app.state.kb, entry_id)
    if entry is None:
        raise HTTPException(404, "Entrée introuvable.")
    form = {
        "entry_id": entry.id,
        "topic": entry.topic,
        "question": entry.question,
        "alternatives": "\n".join(entry.alternatives),
        "answer": entry.answer,
        "base": faq.fingerprint(entry),
    }
    return render(request, "faq_form.html", {"form": form, "topics": TOPICS, "creating": False})


@router.post("/{entry_id}/edit")
def update(
    entry_id: str,
    request: Request,
    user: EditorUser,
    db: Db,
    topic: Text,
    question: Text,
    alternatives: Text,
    answer: Text,
    base: Base,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """No 404 when the entry is gone: it was deleted while this form was open, and the
    editor's text must come back (as a 409 offering to recreate it)."""
    form = {
        "entry_id": entry_id,
        "topic": topic,
        "question": question,
        "alternatives": alternatives,
        "answer": answer,
        "base": base,
    }
    return _save(request, user, db, form, False, bool(confirm))


@router.post("/{entry_id}/delete")
def delete(entry_id: str, request: Request, user: EditorUser, db: Db, base: Base) -> Response:
    kb = request.app.state.kb
    try:
        faq.publish(kb, db, user, "delete", entry_id, None, base, request.app.state.clock())
    except faq.Conflict as conflict:
        when = _who_and_when(db, entry_id, conflict.current)
        if conflict.current is None:
            message = f"Cette entrée a déjà été supprimée {when}."
        else:
            message = (
                f"Cette entrée a été modifiée {when} : elle n'a pas été supprimée ; "
                "relisez-la, puis supprimez-la à nouveau si besoin."
            )
        return render(
            request,
            "error.html",
            {"message": message, "link": ("/faq", "Retour à la FAQ")},
            status_code=409,
        )
    except (KBError, ValueError, TimeoutError) as error:
        raise HTTPException(500, f"Publication impossible : {error}") from error
    return RedirectResponse("/faq", status_code=303)
