"""« Questions sans réponse » (editors): what the bot could not answer over a period, grouped
by meaning and ranked by volume, each group with its examples and the nearest FAQ entry; one
click opens a new entry pre-filled with the group's phrasings, or adds them to the nearest
entry (published live through faq.publish, so the history records it). Groups the index in
service now answers leave the list. « Intentions mal reconnues »: the low-confidence NLU
messages, downloadable as Rasa NLU YAML.

Message texts are personal data: every route here needs an editor's session."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.backoffice.tracker_events import tracker_engine
from bot.kb import KBError

from .. import faq
from ..db import FaqChange
from ..security import Db, EditorUser
from ..unanswered import cluster, collect, misses
from ..web import render

router = APIRouter(prefix="/unanswered")
PERIODS = {1: "24 heures", 7: "7 jours", 30: "30 jours", 90: "90 jours"}
DEFAULT_DAYS = 30
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)
# at most one question and 40 phrasings; each is checked by the FAQ editor's rules
Phrasings = Annotated[list[str], Form(max_length=faq.MAX_ALTERNATIVES + 1)]
DONE = {"ajoute": "Formulations ajoutées : le bot les utilise dès maintenant."}


def _period(request: Request, days: int) -> tuple[int, datetime, datetime]:
    days = days if days in PERIODS else DEFAULT_DAYS
    end: datetime = request.app.state.clock()
    return days, end - timedelta(days=days), end


def _last_changes(db: Session) -> dict[str, datetime]:
    rows = db.execute(
        select(FaqChange.entry_id, func.max(FaqChange.at)).group_by(FaqChange.entry_id)
    )
    # aware UTC, as the tracker's times are (SQLite hands back naive ones from an aggregate)
    return {entry_id: at if at.tzinfo else at.replace(tzinfo=timezone.utc) for entry_id, at in rows}


def _review(
    request: Request, start: datetime, end: datetime, changed: dict[str, datetime]
) -> cluster.Review:
    with tracker_engine(request.app.state.settings.tracker_url) as engine:
        found = collect.unanswered(engine, start, end)
    return cluster.review(request.app.state.kb, found, changed)


@router.get("")
async def index(
    request: Request, user: EditorUser, db: Db, jours: int = DEFAULT_DAYS, fait: str = ""
) -> Response:
    days, start, end = _period(request, jours)
    changed = _last_changes(db)
    result = await asyncio.to_thread(_review, request, start, end, changed)
    kb = request.app.state.kb
    bases = {}
    for group in result.groups:
        if group.nearest and group.nearest.entry_id not in bases:
            bases[group.nearest.entry_id] = faq.fingerprint(faq.find(kb, group.nearest.entry_id))
    return render(
        request,
        "unanswered.html",
        {
            "review": result,
            "days": days,
            "periods": PERIODS,
            "kinds": collect.KINDS,
            "bases": bases,
            "topic_label": faq.topic_label,
            "answer_threshold": kb.params.answer_threshold,
            "done": DONE.get(fait, ""),
        },
    )


@router.post("/fiche")
def new_entry(
    request: Request,
    user: EditorUser,
    phrasing: Phrasings,
    topic: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """The FAQ editor's new-entry form, pre-filled: the group's most typical message as the
    question, the others as phrasings, the nearest entry's topic; the editor writes the answer
    and publishes through the FAQ editor's own route (POST /faq/new)."""
    lines = [" ".join(p.split()) for p in phrasing if p.strip()][: faq.MAX_ALTERNATIVES + 1]
    form = {
        "topic": topic if topic in dict(faq.topic_choices()) else "",
        "question": lines[0] if lines else "",
        "alternatives": "\n".join(lines[1:]),
        "answer": "",
        "base": "",
    }
    return render(
        request,
        "faq_form.html",
        {
            "form": form,
            "topics": faq.topic_choices(),
            "topic_label": faq.topic_label,
            "creating": True,
        },
    )


@router.post("/ajouter")
def add_phrasings(
    request: Request,
    user: EditorUser,
    db: Db,
    entry_id: Annotated[str, Form(max_length=100)],
    base: Annotated[str, Form(max_length=64)],
    phrasing: Phrasings,
    jours: Annotated[int, Form()] = DEFAULT_DAYS,
) -> Response:
    """The group's phrasings added to an entry, published like an edit in the FAQ editor
    (same checks, same history, refused if the entry changed since the page was shown)."""
    kb = request.app.state.kb
    back = (f"/unanswered?jours={jours}", "Retour aux questions sans réponse")
    current = faq.find(kb, entry_id)
    if current is None:
        return render(
            request, "error.html", {"message": "Cette entrée n'existe plus.", "link": back}, 404
        )
    known = {p.casefold() for p in current.phrasings()}
    added = [
        line
        for line in dict.fromkeys(" ".join(p.split()) for p in phrasing)
        if line and line.casefold() not in known
    ]
    entry, problems = faq.parse_form(
        current.id,
        current.topic,
        current.question,
        "\n".join([*current.alternatives, *added]),
        current.answer,
    )
    if entry is None or problems:
        message = " ".join(p.message for p in problems) or "Formulations refusées."
        return render(request, "error.html", {"message": message, "link": back}, 422)
    try:
        faq.publish(
            kb,
            db,
            user,
            "update",
            entry.id,
            replace(entry, tags=current.tags),
            base,
            request.app.state.clock(),
        )
    except faq.Conflict:
        message = (
            "Cette entrée a changé entre-temps : rien n'a été ajouté ; "
            "rechargez la page et recommencez."
        )
        return render(request, "error.html", {"message": message, "link": back}, 409)
    except (KBError, ValueError, TimeoutError) as error:
        return render(
            request,
            "error.html",
            {"message": f"Publication impossible : {error}", "link": back},
            500,
        )
    return RedirectResponse(f"/unanswered?jours={jours}&fait=ajoute", status_code=303)


def _misses(
    request: Request, start: datetime, end: datetime, threshold: float
) -> list[misses.Miss]:
    with tracker_engine(request.app.state.settings.tracker_url) as engine:
        if engine is None:
            return []
        return misses.misses(collect.read_period(engine, start, end), start, end, threshold)


def _threshold(seuil: float | None) -> float:
    default = misses.config_threshold()
    return seuil if seuil is not None and 0.0 < seuil <= 1.0 else default


@router.get("/intentions")
async def intent_misses(
    request: Request, user: EditorUser, jours: int = DEFAULT_DAYS, seuil: float | None = None
) -> Response:
    days, start, end = _period(request, jours)
    threshold = _threshold(seuil)
    found = await asyncio.to_thread(_misses, request, start, end, threshold)
    return render(
        request,
        "unanswered_intents.html",
        {
            "misses": found[:500],
            "total": len(found),
            "days": days,
            "periods": PERIODS,
            "threshold": threshold,
            "thresholds": sorted({misses.config_threshold(), *THRESHOLDS}),
            "scrub": misses.scrub,
        },
    )


@router.get("/intentions.yml")
async def intent_misses_yaml(
    request: Request, user: EditorUser, jours: int = DEFAULT_DAYS, seuil: float | None = None
) -> Response:
    days, start, end = _period(request, jours)
    threshold = _threshold(seuil)
    found = await asyncio.to_thread(_misses, request, start, end, threshold)
    name = f"intentions-a-revoir-{end:%Y-%m-%d}-{days}j.yml"
    return Response(
        misses.to_yaml(found, threshold),
        media_type="application/x-yaml; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
