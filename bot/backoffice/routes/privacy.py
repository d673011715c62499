"""« Données personnelles » (admins): find a shopper's data, export it (JSON download), erase it
after a confirmation step; each export and erasure is written to the audit log with the
admin's e-mail. The work is done by bot/privacy; searches are POSTed so that no e-mail or order
number ever appears in a URL (or in an access log)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from bot.privacy import service
from bot.privacy.criteria import BadCriteria, Criteria

from ..db import PrivacySchedule
from ..security import AdminUser
from ..web import render

router = APIRouter(prefix="/privacy")
Email = Annotated[str, Form(max_length=254)]
Order = Annotated[str, Form(max_length=50)]
Conversation = Annotated[str, Form(max_length=255)]
ChannelId = Annotated[str, Form(max_length=64)]


def _stores(request: Request) -> service.Stores:
    return service.Stores.from_settings(request.app.state.settings, request.app.state.engine)


def _page(
    request: Request,
    context: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    stores = _stores(request)
    settings = request.app.state.settings
    with stores.backoffice() as db:
        schedule = db.scalar(select(PrivacySchedule).where(PrivacySchedule.name == "purge"))
    return render(
        request,
        "privacy.html",
        {
            "form": {},
            "audit": service.recent_audit(stores, 20),
            "retention": service.Retention.from_settings(settings),
            "purge_every_hours": settings.purge_every_hours,
            "last_purge": schedule.last_run_at if schedule else None,
            "LABELS_FR": service.LABELS_FR,
            "ACTIONS_FR": service.ACTIONS_FR,
            **(context or {}),
        },
        status_code=status_code,
    )


def _criteria(
    email: Email = "",
    order: Order = "",
    conversation: Conversation = "",
    telegram: ChannelId = "",
    messenger: ChannelId = "",
) -> tuple[Criteria | None, str | None, dict[str, str]]:
    """The search form, as a dependency of every route that takes it: the criteria, or why
    they were refused, and the form as typed (shown again)."""
    form = {
        "email": email.strip(),
        "order": order.strip(),
        "conversation": conversation.strip(),
        "telegram": telegram.strip(),
        "messenger": messenger.strip(),
    }
    try:
        criteria = Criteria.build(
            [form["email"]],
            [form["order"]],
            [form["conversation"]],
            [form["telegram"]],
            [form["messenger"]],
        )
    except BadCriteria as error:
        return None, f"Critère refusé : {error}.", form
    if not criteria:
        return None, "Remplissez au moins un champ.", form
    return criteria, None, form


Asked = Annotated[tuple[Criteria | None, str | None, dict[str, str]], Depends(_criteria)]


@router.get("")
def index(request: Request, admin: AdminUser) -> Response:
    return _page(request)


@router.post("/search")
def search(
    request: Request,
    admin: AdminUser,
    asked: Asked,
) -> Response:
    criteria, error, form = asked
    if criteria is None:
        return _page(request, {"error": error, "form": form}, 422)
    findings = service.find(_stores(request), criteria)
    return _page(request, {"form": form, "findings": findings, "searched": True})


@router.post("/export")
def export(
    request: Request,
    admin: AdminUser,
    asked: Asked,
) -> Response:
    criteria, error, form = asked
    if criteria is None:
        return _page(request, {"error": error, "form": form}, 422)
    stores = _stores(request)
    findings = service.find(stores, criteria)
    if not findings:
        return _page(request, {"form": form, "findings": findings, "searched": True}, 404)
    now = request.app.state.clock()
    document = service.export_data(findings, now)
    service.audit(
        stores, "export", admin.email, service.BACKOFFICE, findings.counts(), criteria, now
    )
    name = f"donnees-personnelles-{now:%Y%m%d-%H%M%S}.json"
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/erase")
def erase(
    request: Request,
    admin: AdminUser,
    asked: Asked,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Without `confirm`: the confirmation step (what would be erased). With it: erase."""
    criteria, error, form = asked
    if criteria is None:
        return _page(request, {"error": error, "form": form}, 422)
    stores = _stores(request)
    findings = service.find(stores, criteria)
    if not findings:
        return _page(request, {"form": form, "findings": findings, "searched": True}, 404)
    if confirm != "oui":
        return _page(request, {"form": form, "findings": findings, "confirming": True})
    now = request.app.state.clock()
    counts = service.erase(stores, findings)
    service.audit(stores, "erase", admin.email, service.BACKOFFICE, counts, criteria, now)
    return _page(request, {"erased": counts})
