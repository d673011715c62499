"""FAQ editor: list, search, test a question, create / edit / delete (published live), history
and restoring an earlier version from it.

Topics are shown by their French names (faq.TOPIC_LABELS); a new entry's id is made from its
question (faq.new_id), never typed; the list's search forgives case, accents and typos.

Edit and delete forms carry the fingerprint of the entry they were opened on (`base`); a save
whose base is no longer current is refused with 409 and the editor's text kept, beside the
version now published (faq.publish does the check and the write as one step).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from bot.core.replies import REQUESTS
from bot.kb import TOPICS, Entry, InvalidEntryError, KBError, Problem

from .. import faq
from ..db import FaqChange
from ..rasa import RasaError
from ..security import Db, EditorUser
from ..web import clock_time, render

router = APIRouter(prefix="/faq")
Text = Annotated[str, Form(max_length=20_000)]
Base = Annotated[str, Form(max_length=64)]
# What the list says after a change (?fait=…), the entry's id in ?q=.
DONE = {
    "cree": "Entrée publiée : le bot l'utilise dès maintenant.",
    "modifie": "Modification publiée : le bot l'utilise dès maintenant.",
    "supprime": "Entrée supprimée : le bot ne l'utilise plus.",
    "retabli": "Version rétablie : le bot l'utilise dès maintenant.",
}


def _topics() -> dict[str, object]:
    """What every FAQ page needs to show topics: their French names, in their order."""
    return {"topics": faq.topic_choices(), "topic_label": faq.topic_label}


@router.get("")
def index(
    request: Request, user: EditorUser, q: str = "", topic: str = "", fait: str = ""
) -> Response:
    kb = request.app.state.kb
    items = faq.filter_entries(faq.entries(kb), q[:200], topic if topic in TOPICS else "")
    return render(
        request,
        "faq_list.html",
        {
            "entries": items,
            "q": q,
            "topic": topic,
            **_topics(),
            "version": kb.current_version(),
            "bases": {e.id: faq.fingerprint(e) for e in items},
            "done": DONE.get(fait, ""),
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
    return render(
        request, template, {"verdict": verdict, "q": q, "requests": REQUESTS, **_topics()}
    )


@router.get("/history")
def history(request: Request, user: EditorUser, db: Db, entry: str = "") -> Response:
    changes = faq.history(db, entry[:100])
    published = {e.id: faq.fingerprint(e) for e in faq.entries(request.app.state.kb)}
    return render(
        request,
        "faq_history.html",
        {
            "changes": changes,
            "entry": entry[:100],
            # a row whose version is the one in service offers nothing to restore
            "in_service": {
                c.id
                for c in changes
                if faq.snapshot(c) is not None
                and published.get(c.entry_id) == _fingerprint_or_none(faq.snapshot(c))
            },
            **_topics(),
        },
    )


def _fingerprint_or_none(data: dict[str, object] | None) -> str | None:
    try:
        return faq.fingerprint_of(data)  # type: ignore[arg-type]
    except (InvalidEntryError, KBError):
        return None


def _restorable(db: Session, change_id: int) -> FaqChange:
    change = db.get(FaqChange, change_id)
    if change is None or faq.snapshot(change) is None:
        raise HTTPException(404, "Cette version n'existe pas dans l'historique.")
    return change


@router.get("/history/{change_id}/restore")
def restore_form(change_id: int, request: Request, user: EditorUser, db: Db) -> Response:
    """The confirmation: the version to put back beside the one in service (or the fact that
    the entry is deleted), and one button."""
    change = _restorable(db, change_id)
    current = faq.find(request.app.state.kb, change.entry_id)
    return render(
        request,
        "faq_history.html",
        {
            "restoring": True,
            "change": change,
            "target": faq.snapshot(change),
            "current": current,
            "base": faq.fingerprint(current),
            "same": faq.fingerprint(current) == _fingerprint_or_none(faq.snapshot(change)),
            **_topics(),
        },
    )


@router.post("/history/{change_id}/restore")
def restore(
    change_id: int, request: Request, user: EditorUser, db: Db, base: Base = ""
) -> Response:
    """`base`: the entry as the confirmation showed it ("" for deleted: an empty form field
    arrives as missing)."""
    change = _restorable(db, change_id)
    kb = request.app.state.kb
    back = (f"/faq/history?entry={change.entry_id}", "Retour à l'historique de l'entrée")
    try:
        entry, _version = faq.restore(kb, db, user, change, base, request.app.state.clock())
    except faq.Conflict as conflict:
        when = _who_and_when(db, change.entry_id, conflict.current)
        message = (
            f"Cette entrée a changé {when} : rien n'a été rétabli ; "
            "relisez l'historique, puis rétablissez à nouveau si besoin."
        )
        return render(request, "error.html", {"message": message, "link": back}, 409)
    except (KBError, ValueError, TimeoutError) as error:
        message = f"Rétablissement impossible : {error}"
        return render(request, "error.html", {"message": message, "link": back}, 500)
    return RedirectResponse(f"/faq?q={entry.id}&fait=retabli", status_code=303)


@router.get("/new/id")
def id_preview(
    request: Request, user: EditorUser, db: Db, topic: str = "", question: str = ""
) -> Response:
    """The id a new entry would get now (htmx, while the editor types the question)."""
    new = _new_id(request, db, topic, question[:300])
    if not new:
        return HTMLResponse('<span class="muted">choisissez le sujet et écrivez la question</span>')
    return HTMLResponse(Markup("<code>{}</code>").format(new))


def _new_id(request: Request, db: Session, topic: str, question: str) -> str:
    """The id of a new entry: from its topic and question, unique; "" until both are known."""
    if topic.strip() not in TOPICS or not faq.words_of(question):
        return ""
    taken = faq.used_ids(request.app.state.kb, db)
    return faq.new_id(topic.strip(), question, taken)


@router.get("/new")
def new_form(request: Request, user: EditorUser) -> Response:
    return render(request, "faq_form.html", {"form": {}, **_topics(), "creating": True})


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
            **_topics(),
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
    made = creating and not form["entry_id"].strip()  # else: re-creating a deleted entry
    entry_id = _new_id(request, db, form["topic"], form["question"]) if made else form["entry_id"]
    entry, problems = faq.parse_form(
        entry_id, form["topic"], form["question"], form["alternatives"], form["answer"]
    )
    form = {**form, "new_id": entry_id if made else ""}
    if made:  # the id follows the question: its problems are the question's and topic's
        problems = [p for p in problems if p.field != "id"]
        if entry is None and not problems:
            problems = [Problem("question", "La question doit contenir au moins un mot.")]
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
        if made:  # another editor took this id a moment ago: the next try makes another one
            message = (
                f"Une autre entrée vient d'être publiée sous l'identifiant {entry.id} : "
                "publiez à nouveau, un autre identifiant sera choisi."
            )
            return _form_page(request, form, True, problems=[Problem("", message)], status_code=409)
        return _conflict_page(request, db, form, conflict.current)
    except (KBError, ValueError, TimeoutError) as error:
        return _form_page(
            request,
            form,
            creating,
            problems=[Problem("", f"Publication impossible : {error}")],
            status_code=500,
        )
    done = "cree" if creating else "modifie"
    return RedirectResponse(f"/faq?q={entry.id}&fait={done}", status_code=303)


@router.post("/new")
def create(
    request: Request,
    user: EditorUser,
    db: Db,
    topic: Text,
    question: Text,
    alternatives: Text,
    answer: Text,
    confirm: Annotated[str, Form(max_length=10)] = "",
    entry_id: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """A new entry; its id is made from the question. `entry_id` is sent only by the form that
    re-creates an entry deleted while it was being edited (the id is kept)."""
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
    return render(request, "faq_form.html", {"form": form, **_topics(), "creating": False})


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
    return RedirectResponse("/faq?fait=supprime", status_code=303)
