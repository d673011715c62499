"""Jinja2 templates (autoescape always on; shopper text is never marked safe)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from bot.core.handoff import STATUS_LABELS, CaseStatus, reason_label

from .security import csrf_token

TEMPLATES = Path(__file__).resolve().parent / "templates"
env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
ROLES_FR = {
    "agent": "conseiller",
    "editor": "rédacteur",
    "manager": "responsable",
    "admin": "administrateur",
}
# What each intent of domain.yml means, for the dashboard's "what shoppers ask" chart.
INTENTS_FR = {
    "greet": "salutation",
    "goodbye": "au revoir",
    "thank": "remerciement",
    "affirm": "oui",
    "deny": "non",
    "bot_challenge": "« êtes-vous un robot ? »",
    "out_of_scope": "hors sujet",
    "human_handoff": "demande un conseiller",
    "stop": "arrêter",
    "wait": "patienter",
    "inform": "donne une information (commande, e-mail…)",
    "faq": "question générale (FAQ)",
    "ask_product": "question sur un produit",
    "faq_feedback": "avis sur une réponse de la FAQ",
    "track_order": "suivi de commande",
    "delivery_time": "délais de livraison",
    "cancel_order": "annulation",
    "return_item": "retour d'article",
    "refund_status": "suivi de remboursement",
    "problem_report": "problème sur une commande",
    "change_order": "modification de commande",
    "rate": "note donnée",
    "stop_notices": "ne plus être prévenu des retards",
    "photo_sent": "photo envoyée",
    "nlu_fallback": "non compris",
    # sent by the back office, not typed (trigger_intent)
    "agent_reply": "réponse d'un conseiller",
    "handoff_resolved": "cas résolu par un conseiller",
    "handoff_returned": "rendu au bot par un conseiller",
    "order_delayed": "retard signalé par la boutique",
}
OUTCOME_FR = {
    "answer": "le bot répond",
    "choose": "le bot propose des choix (« vouliez-vous dire »)",
    "none": "pas de réponse : le bot propose un conseiller",
}


def _local(value: datetime | float | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        value = datetime.fromtimestamp(value, ZoneInfo("UTC"))
    zone = ZoneInfo(str(env.globals.get("timezone", "Europe/Paris")))
    return value.astimezone(zone).strftime(fmt)


def clock_time(value: datetime | None) -> str:
    """« 10 h 05 », the way a French shop writes a time."""
    return _local(value, "%H h %M")


def status_label(status: str) -> str:
    return STATUS_LABELS[CaseStatus(status)]


env.filters["local"] = _local
env.filters["clock_time"] = clock_time
# The hand-off's words come from bot/core/handoff.py, the one place that names them.
env.filters["reason_label"] = reason_label
env.filters["status_label"] = status_label
env.globals.update(ROLES_FR=ROLES_FR, OUTCOME_FR=OUTCOME_FR)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    data = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf": csrf_token(request),
        **(context or {}),
    }
    return HTMLResponse(
        env.get_template(name).render(data), status_code=status_code, headers=headers
    )
