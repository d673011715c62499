"""A shopper who talked on the widget and on Telegram, was handed to an agent and rated, is
found by e-mail, exported (every message), erased (nothing left that mentions them, in any
table or file), and another shopper is untouched; the audit log says who, when and how many,
never what. On SQLite and on a real PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from bot.backoffice.db import PrivacyAudit
from bot.core import forgotten
from bot.privacy import Criteria, erase, export_data, find
from bot.privacy.service import CLI, audit

from .conftest import MARIE, NOW, PAUL, SECRET, World


def _messages(world: World, sender: str) -> list[str]:
    return [e["text"] for e in world.conversations[sender] if e["event"] in ("user", "bot")]


def test_find_by_email_finds_both_conversations_the_case_and_the_feedback(world: World) -> None:
    marie_case = world.add_shopper(MARIE)
    world.add_shopper(PAUL, NOW + timedelta(days=1))

    findings = find(world.stores, Criteria.build(emails=[MARIE.email.upper()]))

    assert findings.conversation_ids == sorted([MARIE.web, MARIE.telegram])
    assert [c.id for c in findings.cases] == [marie_case]
    assert [f["conversation"] for f in findings.feedback] == [MARIE.web]
    counts = findings.counts()
    assert counts["case_messages"] == 3 and counts["ratings"] == 1
    assert counts["events"] == len(world.conversations[MARIE.web]) + len(
        world.conversations[MARIE.telegram]
    )


def test_each_criterion_finds_the_shopper_and_nobody_else(world: World) -> None:
    world.add_shopper(MARIE)
    world.add_shopper(PAUL)
    by = {
        "order": Criteria.build(orders=[MARIE.order.lower()]),
        "conversation": Criteria.build(conversations=[MARIE.web]),
        "telegram": Criteria.build(telegram=[MARIE.telegram_chat]),
    }
    found = {kind: find(world.stores, c).conversation_ids for kind, c in by.items()}
    # The order number is in the web conversation and in the Telegram case's summary.
    assert found["order"] == sorted([MARIE.web, MARIE.telegram])
    assert found["conversation"] == [MARIE.web]
    assert found["telegram"] == [MARIE.telegram]
    assert not find(world.stores, Criteria.build(emails=["personne@exemple.fr"]))


def test_export_holds_every_message_the_case_the_rating_and_the_feedback(world: World) -> None:
    world.add_shopper(MARIE)
    world.add_shopper(PAUL)

    document = json.loads(
        json.dumps(export_data(find(world.stores, Criteria.build(emails=[MARIE.email]))))
    )

    conversations = {c["id"]: c for c in document["conversations"]}
    assert set(conversations) == {MARIE.web, MARIE.telegram}
    for sender in (MARIE.web, MARIE.telegram):
        exported = [m["text"] for m in conversations[sender]["messages"]]
        assert exported == _messages(world, sender)
        assert len(conversations[sender]["events"]) == len(world.conversations[sender])
    assert conversations[MARIE.telegram]["channel"] == "Telegram"
    [case] = document["cases"]
    assert [m["text"] for m in case["messages"]] == [
        "Bonjour, toujours rien reçu",
        f"Je regarde la commande {MARIE.order} tout de suite.",
        "merci beaucoup",
    ]
    assert case["rating"] == 5 and case["conversation_id"] == MARIE.telegram
    assert [f["conversation"] for f in document["faq_feedback"]] == [MARIE.web]
    web = conversations[MARIE.web]
    assert [w["order_number"] for w in web["watches"]] == [MARIE.order]
    assert [(n["order_number"], n["status"]) for n in web["notices"]] == [(MARIE.order, "sent")]
    assert PAUL.email not in json.dumps(document) and PAUL.web not in json.dumps(document)


def test_erase_leaves_nothing_that_mentions_the_shopper_and_spares_the_other(
    world: World,
) -> None:
    world.add_shopper(MARIE)
    world.add_shopper(PAUL)
    before_paul = find(world.stores, Criteria.build(emails=[PAUL.email]))
    paul_export = export_data(before_paul, NOW)
    assert world.leftovers(MARIE)  # the check does see Marie before the erasure

    findings = find(world.stores, Criteria.build(emails=[MARIE.email]))
    counts = erase(world.stores, findings)

    assert counts == {
        "conversations": 2,
        "events": len(world.conversations[MARIE.web]) + len(world.conversations[MARIE.telegram]),
        "cases": 1,
        "case_messages": 3,
        "case_notes": 0,
        "ratings": 1,
        "feedback": 1,
        "delay_notices": 2,  # the followed order and the notice sent about it
        "photos": 0,  # (tests/backoffice/test_attachments.py)
        "email_replies": 0,  # (tests/backoffice/test_mail.py)
    }
    assert world.leftovers(MARIE) == []
    assert not find(world.stores, Criteria.build(emails=[MARIE.email]))
    # Paul: every row, message and line as before.
    assert export_data(find(world.stores, Criteria.build(emails=[PAUL.email])), NOW) == paul_export
    feedback = world.settings.faq_feedback_file.read_text(encoding="utf-8")
    assert PAUL.web in feedback and len(feedback.splitlines()) == 1
    # The widget can learn that Marie's conversations were erased; Paul's were not.
    assert forgotten.was_erased(MARIE.web, world.settings.forgotten_db)
    assert forgotten.was_erased(MARIE.telegram, world.settings.forgotten_db, key=SECRET)
    assert not forgotten.was_erased(PAUL.web, world.settings.forgotten_db)


def test_the_audit_log_has_who_when_what_kind_and_how_many_never_the_data(world: World) -> None:
    world.add_shopper(MARIE)
    criteria = Criteria.build(emails=[MARIE.email], orders=[MARIE.order])
    findings = find(world.stores, criteria)
    audit(world.stores, "export", "alice", CLI, findings.counts(), criteria, NOW)
    audit(world.stores, "erase", "alice", CLI, erase(world.stores, findings), criteria, NOW)

    with world.stores.backoffice() as db:
        rows = db.scalars(sa.select(PrivacyAudit).order_by(PrivacyAudit.id)).all()
    assert [(r.action, r.actor, r.origin, r.criteria, r.at) for r in rows] == [
        ("export", "alice", "cli", "email,order", NOW),
        ("erase", "alice", "cli", "email,order", NOW),
    ]
    assert rows[0].counts["conversations"] == 2 and rows[1].counts["cases"] == 1
    assert world.leftovers(MARIE) == []  # the audit rows included
