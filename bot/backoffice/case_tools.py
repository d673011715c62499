"""The case page's tools: reassign a case to a colleague, the team's private notes, the canned
replies shared by the team and their variables.

Like cases.py, the functions take the session and the time, commit their change and raise a
`ToolError` when the change is refused (nothing changed); the routes (routes/case_tools.py) map
the errors to pages.

Private notes never leave the back office: they are rows of `case_notes`, never a message of
the case (`handoff_messages`), and nothing here talks to Rasa. They are the shopper's personal
data all the same (they talk about a shopper): bot/privacy exports and erases them with their
case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.handoff import CaseStatus

from . import cases
from .db import CannedReply, CaseNote, Handoff, HandoffMessage, Role, User
from .sanitize import clean_text

NOTE_MAX = 4000
TITLE_MAX = 100
BODY_MAX = 4000
ASSIGNABLE_ROLES = (Role.agent.value, Role.admin.value)
# {prenom} (or {prénom}) and {commande}, spaces and capitals tolerated: « { Prénom } ».
VARIABLE = re.compile(r"\{\s*(pr[ée]nom|commande)\s*\}", re.IGNORECASE)
PRENOM = re.compile(r"\{\s*pr[ée]nom\s*\}", re.IGNORECASE)
VARIABLES_FR = {"prenom": "le prénom du client", "commande": "le numéro de commande"}


class ToolError(Exception):
    """A change that is refused; nothing was changed. `message` is for the agent, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAColleague(ToolError):
    def __init__(self) -> None:
        super().__init__("Choisissez un conseiller ou un administrateur actif.")


class NotYourCase(ToolError):
    """Only the case's owner (or an admin) hands an assigned case to someone else."""

    def __init__(self, owner: str) -> None:
        super().__init__(
            f"Ce cas est suivi par {owner} : seul {owner} ou un administrateur peut le confier "
            "à quelqu'un d'autre."
        )


class InvalidText(ToolError):
    pass


class TitleTaken(ToolError):
    def __init__(self, title: str) -> None:
        super().__init__(
            f"Une réponse type s'appelle déjà « {title} » : choisissez un autre titre."
        )


class CannedNotFound(ToolError):
    def __init__(self) -> None:
        super().__init__("Cette réponse type n'existe plus.")


# ── Reassign ──────────────────────────────────────────────────────────────────────────────


def colleagues(db: Session) -> list[User]:
    """Who can be given a case: active agents and admins, by name."""
    return list(
        db.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(ASSIGNABLE_ROLES))
            .order_by(func.lower(User.display_name), User.id)
        )
    )


def reassign(db: Session, case: Handoff, actor: User, target_id: int, now: datetime) -> bool:
    """Give an open case to the colleague `target_id`; False when it is already theirs.

    A waiting case can be given by any agent; an assigned case by its owner or an admin (taking
    a colleague's case away is not a silent side effect of a click). The change is written in
    the case's history, which the shopper never sees."""
    cases.ensure_open(case)
    target = db.get(User, target_id)
    if target is None or not target.active or target.role not in ASSIGNABLE_ROLES:
        raise NotAColleague()
    if case.status is CaseStatus.assigned and case.assigned_to == target.id:
        return False
    if (
        case.status is CaseStatus.assigned
        and case.assigned_to not in (None, actor.id)
        and actor.role != Role.admin.value
    ):
        raise NotYourCase(case.agent.display_name if case.agent else "un autre conseiller")
    previous = case.agent.display_name if case.agent and case.assigned_to else None
    case.status, case.assigned_to = CaseStatus.assigned, target.id
    case.updated_at = now
    if target.id == actor.id:
        text = f"Pris en charge par {actor.display_name}"
    elif previous:
        text = f"Réattribué de {previous} à {target.display_name} par {actor.display_name}"
    else:
        text = f"Confié à {target.display_name} par {actor.display_name}"
    db.add(
        HandoffMessage(
            handoff_id=case.id, sender="system", text=clean_text(text), at=now, author_id=actor.id
        )
    )
    db.commit()
    db.refresh(case)
    return True


# ── Private notes ─────────────────────────────────────────────────────────────────────────


def add_note(db: Session, case: Handoff, author: User, text: str, now: datetime) -> CaseNote:
    """A private note on the case (open or closed: what was done afterwards is worth noting)."""
    text = clean_text(text).strip()
    if not text:
        raise InvalidText("La note est vide.")
    if len(text) > NOTE_MAX:
        raise InvalidText(f"La note dépasse {NOTE_MAX} caractères.")
    note = CaseNote(handoff_id=case.id, author_id=author.id, text=text, at=now)
    db.add(note)
    db.commit()
    return note


def notes(db: Session, case_id: int) -> list[CaseNote]:
    return list(
        db.scalars(select(CaseNote).where(CaseNote.handoff_id == case_id).order_by(CaseNote.id))
    )


# ── Canned replies ────────────────────────────────────────────────────────────────────────


def canned_replies(db: Session) -> list[CannedReply]:
    return list(db.scalars(select(CannedReply).order_by(func.lower(CannedReply.title))))


def canned_reply(db: Session, reply_id: int) -> CannedReply:
    reply = db.get(CannedReply, reply_id)
    if reply is None:
        raise CannedNotFound()
    return reply


def _checked(db: Session, title: str, body: str, reply_id: int | None) -> tuple[str, str]:
    title = " ".join(clean_text(title).split())
    body = clean_text(body).strip()
    if not title:
        raise InvalidText("Donnez un titre à la réponse type.")
    if len(title) > TITLE_MAX:
        raise InvalidText(f"Le titre dépasse {TITLE_MAX} caractères.")
    if not body:
        raise InvalidText("Le texte de la réponse type est vide.")
    if len(body) > BODY_MAX:
        raise InvalidText(f"Le texte dépasse {BODY_MAX} caractères.")
    same = db.scalar(select(CannedReply).where(func.lower(CannedReply.title) == title.lower()))
    if same is not None and same.id != reply_id:
        raise TitleTaken(same.title)
    return title, body


def create_canned(db: Session, user: User, title: str, body: str, now: datetime) -> CannedReply:
    title, body = _checked(db, title, body, None)
    reply = CannedReply(
        title=title,
        body=body,
        created_by=user.id,
        updated_by=user.id,
        created_at=now,
        updated_at=now,
    )
    db.add(reply)
    db.commit()
    return reply


def update_canned(
    db: Session, reply: CannedReply, user: User, title: str, body: str, now: datetime
) -> CannedReply:
    reply.title, reply.body = _checked(db, title, body, reply.id)
    reply.updated_by, reply.updated_at = user.id, now
    db.commit()
    db.refresh(reply)
    return reply


def delete_canned(db: Session, reply: CannedReply) -> None:
    db.delete(reply)
    db.commit()


# ── Variables ─────────────────────────────────────────────────────────────────────────────


def _one_line(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(clean_text(value).split())[:limit].strip()
    return text or None


def case_variables(case: Handoff, slots: Mapping[str, Any] | None = None) -> dict[str, str | None]:
    """What {prenom} and {commande} stand for in this case, None when the case does not know.

    The order number is the verified one: the case's summary (`order_number`, set only when
    the shopper proved the order is theirs), else the conversation's `verified_order` slot. The
    first name is the verified order's (slot `order_facts`, as the shop gave it), or a first
    name the summary carries; never a name the shopper merely typed."""
    summary = case.summary if isinstance(case.summary, Mapping) else {}
    slots = slots or {}
    order = _one_line(summary.get("order_number"), 40) or _one_line(slots.get("verified_order"), 40)
    customer = summary.get("customer")
    facts = slots.get("order_facts")
    first_name = (
        _one_line(summary.get("first_name"), 60)
        or (_one_line(customer.get("first_name"), 60) if isinstance(customer, Mapping) else None)
        or (_one_line(facts.get("first_name"), 60) if isinstance(facts, Mapping) else None)
    )
    return {"prenom": first_name, "commande": order}


@dataclass(frozen=True)
class Filled:
    text: str
    missing: tuple[str, ...]  # variables the case does not know, left as {name} for the agent


def fill(body: str, variables: Mapping[str, str | None]) -> Filled:
    """The reply with its variables replaced. Only {prenom} and {commande} are read (never
    `str.format`: a reply's text is not code). An unknown first name disappears with the space
    before it (« Bonjour {prenom}, » → « Bonjour, »); an unknown order number stays as
    {commande}, for the agent to complete (the page will not send it as is)."""
    missing: list[str] = []
    text = body
    if not variables.get("prenom") and PRENOM.search(text):
        missing.append("prenom")
        text = re.sub(r"[ \t]*" + PRENOM.pattern, "", text, flags=re.IGNORECASE)
        # « {prenom}, votre colis… » at the start of a line: « Votre colis… »
        text = re.sub(
            r"(?m)^([ \t]*)[,;][ \t]*(\S)", lambda m: m.group(1) + m.group(2).upper(), text
        )

    def value(match: re.Match[str]) -> str:
        name = "commande" if match.group(1).lower() == "commande" else "prenom"
        known = variables.get(name)
        if known:
            return known
        if name not in missing:
            missing.append(name)
        return "{" + name + "}"

    return Filled(VARIABLE.sub(value, text), tuple(missing))
