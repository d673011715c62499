"""FAQ editor: list, search, test a question, create / edit / delete (published live), history."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from bot.kb import TOPICS, KBError

from .. import faq
from ..db import FaqChange
from ..security import Db, EditorUser
from ..web import render

router = APIRouter(prefix="/faq")
Text = Annotated[str, Form(max_length=20_000)]


@router.get("")
def index(request: Request, user: EditorUser, q: str = "", topic: str = "") -> Response:
    kb = request.app.state.kb
    items = faq.filter_entries(faq.entries(kb), q[:200], topic if topic in TOPICS else "")
    return render(request, "faq_list.html", {"entries": items, "q": q, "topic": topic,
                                             "topics": TOPICS, "version": kb.current_version()})


@router.get("/test")
def test_question(request: Request, user: EditorUser, q: str = "") -> Response:
    q = q[:1000]
    result = request.app.state.kb.search(q, 3) if q.strip() else None
    template = "_faq_test.html" if request.headers.get("hx-request") else "faq_test.html"
    return render(request, template, {"result": result, "q": q})


@router.get("/history")
def history(request: Request, user: EditorUser, db: Db) -> Response:
    changes = db.scalars(select(FaqChange).order_by(FaqChange.id.desc()).limit(200)).all()
    return render(request, "faq_history.html", {"changes": changes})


@router.get("/new")
def new_form(request: Request, user: EditorUser) -> Response:
    return render(request, "faq_form.html", {"form": {}, "topics": TOPICS, "creating": True})


def _form_page(request: Request, form: dict[str, str], creating: bool, *, problems: list[str],
               duplicates: list[faq.Duplicate] | None = None, status_code: int = 422) -> Response:
    return render(request, "faq_form.html", {
        "form": form, "topics": TOPICS, "creating": creating, "problems": problems,
        "duplicates": duplicates or [],
    }, status_code=status_code)


def _save(request: Request, user: EditorUser, db: Db, form: dict[str, str], creating: bool,
          confirm: bool) -> Response:
    kb = request.app.state.kb
    entry, problems = faq.parse_form(form["entry_id"], form["topic"], form["question"],
                                     form["alternatives"], form["answer"])
    before = faq.find(kb, form["entry_id"].strip())
    if entry is not None and creating and before is not None:
        problems.append(f"L'identifiant {entry.id} existe déjà : modifiez cette entrée.")
    if entry is None or problems:
        return _form_page(request, form, creating, problems=problems)
    if not confirm:
        duplicates = faq.near_duplicates(kb, entry)
        if duplicates:
            return _form_page(request, form, creating, problems=[], duplicates=duplicates,
                              status_code=409)
    try:
        faq.publish(kb, db, user, "create" if creating else "update", entry.id, before, entry,
                    request.app.state.clock())
    except (KBError, ValueError) as error:
        return _form_page(request, form, creating, problems=[f"Publication impossible : {error}"],
                          status_code=500)
    return RedirectResponse(f"/faq?q={entry.id}", status_code=303)


@router.post("/new")
def create(
    request: Request, user: EditorUser, db: Db, entry_id: Text, topic: Text, question: Text,
    alternatives: Text, answer: Text, confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"entry_id": entry_id, "topic": topic, "question": question,
            "alternatives": alternatives, "answer": answer}
    return _save(request, user, db, form, True, bool(confirm))


@router.get("/{entry_id}/edit")
def edit_form(entry_id: str, request: Request, user: EditorUser) -> Response:
    entry = faq.find(request.app.state.kb, entry_id)
    if entry is None:
        raise HTTPException(404, "Entrée introuvable.")
    form = {"entry_id": entry.id, "topic": entry.topic, "question": entry.question,
            "alternatives": "\n".join(entry.alternatives), "answer": entry.answer}
    return render(request, "faq_form.html", {"form": form, "topics": TOPICS, "creating": False})


@router.post("/{entry_id}/edit")
def update(
    entry_id: str, request: Request, user: EditorUser, db: Db, topic: Text, question: Text,
    alternatives: Text, answer: Text, confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    if faq.find(request.app.state.kb, entry_id) is None:
        raise HTTPException(404, "Entrée introuvable.")
    form = {"entry_id": entry_id, "topic": topic, "question": question,
            "alternatives": alternatives, "answer": answer}
    return _save(request, user, db, form, False, bool(confirm))


@router.post("/{entry_id}/delete")
def delete(entry_id: str, request: Request, user: EditorUser, db: Db) -> Response:
    kb = request.app.state.kb
    entry = faq.find(kb, entry_id)
    if entry is None:
        raise HTTPException(404, "Entrée introuvable.")
    faq.publish(kb, db, user, "delete", entry_id, entry, None, request.app.state.clock())
    return RedirectResponse("/faq", status_code=303)
