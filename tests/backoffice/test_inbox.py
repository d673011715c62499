"""The agents' inbox: queue, conversation page, reply / resolve / hand back through Rasa."""

from __future__ import annotations

import socket
from datetime import timedelta

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select

from bot.backoffice.db import Handoff, HandoffMessage
from bot.backoffice.faq import entries as faq_entries
from bot.backoffice.rasa import RasaClient, transcript

from .conftest import RASA_TOKEN, BackOffice

TRACKER = {
    "sender_id": "conv-t",
    "slots": {
        "verified_order": "CM483391",
        # as VerifiedOrder.to_slot() writes it (bot/dialogue/verified_order.py)
        "order_facts": {
            "status": "shipped",
            "cancellable": False,
            "address_changeable": False,
            "returnable": [{"sku": "TH-01", "name": "Théière Kyoto"}],
            "blocked": [{"name": "Thé vert Sencha", "reason": "produit ouvert ou descellé"}],
            "expected_delivery": "2026-11-27",
            "first_name": "Léa",
        },
    },
    "events": [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {
            "event": "user",
            "text": "Bonjour",
            "timestamp": 2.0,
            "parse_data": {"intent": {"name": "greet"}, "entities": []},
        },
        {
            "event": "bot",
            "text": "Bonjour ! Que puis-je faire pour vous ?",
            "timestamp": 3.0,
            "data": {"buttons": [{"title": "Suivre ma commande", "payload": "/track_order"}]},
        },
        {
            "event": "user",
            "text": "/track_order",
            "timestamp": 4.0,
            "parse_data": {"intent": {"name": "track_order"}, "entities": []},
        },
        {
            "event": "user",
            "text": "<script>alert(1)</script> je veux un humain",
            "timestamp": 5.0,
            "parse_data": {"intent": {"name": "human_handoff"}, "entities": []},
        },
        {"event": "bot", "text": "Je vous passe un conseiller.", "timestamp": 6.0},
        {
            "event": "user",
            "text": "EXTERNAL: agent_reply",
            "timestamp": 7.0,
            "parse_data": {
                "intent": {"name": "agent_reply"},
                "entities": [
                    {"entity": "agent_text", "value": "Bonjour, ici Alice du service client"},
                    {"entity": "agent_name", "value": "Alice Agent"},
                ],
            },
        },
        {"event": "action", "name": "action_relay_agent_reply", "timestamp": 7.1},
        {"event": "bot", "text": "Bonjour, ici Alice du service client", "timestamp": 7.2},
        {
            "event": "user",
            "text": "Combien coûte la livraison ?",
            "timestamp": 8.0,
            "parse_data": {"intent": {"name": "faq"}, "entities": []},
        },
        {
            "event": "user",
            "text": "EXTERNAL: handoff_returned",
            "timestamp": 9.0,
            "parse_data": {"intent": {"name": "handoff_returned"}, "entities": []},
        },
    ],
}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_transcript_tells_shopper_bot_agent_and_notes_apart() -> None:
    turns = [(t.sender, t.text, t.author) for t in transcript(TRACKER)]
    assert turns == [
        ("shopper", "Bonjour", None),
        ("bot", "Bonjour ! Que puis-je faire pour vous ?", None),
        ("shopper", "[choix] Suivre ma commande", None),
        ("shopper", "<script>alert(1)</script> je veux un humain", None),
        ("bot", "Je vous passe un conseiller.", None),
        ("agent", "Bonjour, ici Alice du service client", "Alice Agent"),
        ("shopper", "Combien coûte la livraison ?", None),
        ("system", "Conversation rendue au bot", None),
    ]


def test_queue_is_ordered_by_priority_then_waiting_time(bo: BackOffice) -> None:
    bo.handoff("c-old", summary={"request": "ANCIENNE demande"})
    bo.clock.now += timedelta(minutes=20)
    bo.handoff(
        "c-upset", reason="upset", priority=1, mood="en colère", summary={"request": "CLIENT fâché"}
    )
    bo.clock.now += timedelta(minutes=5)
    bo.handoff("c-new", summary={"request": "NOUVELLE demande"})
    bo.login("agent@boutique.fr")
    page = bo.client.get("/inbox").text
    assert (
        page.index("CLIENT fâché") < page.index("ANCIENNE demande") < page.index("NOUVELLE demande")
    )
    assert "en colère" in page and "le client semble mécontent" in page and "25 min" in page
    assert 'data-sse="/inbox/events"' in page
    fragment = bo.client.get("/inbox/queue").text
    assert "CLIENT fâché" in fragment and "<html" not in fragment


def test_conversation_page_shows_transcript_order_and_suggestions(bo: BackOffice) -> None:
    bo.rasa.trackers["conv-t"] = TRACKER
    handoff = bo.handoff(
        "conv-t",
        summary={
            "request": "<b>Livraison</b>",
            "order_number": "CM483391",
            "last_messages": [{"sender": "shopper", "text": "<i>vite</i>"}],
        },
    )
    bo.login("agent@boutique.fr")
    page = bo.client.get(f"/inbox/{handoff['id']}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; je veux un humain" in page
    assert "<script>alert(1)" not in page
    assert "&lt;b&gt;Livraison&lt;/b&gt;" in page and "&lt;i&gt;vite&lt;/i&gt;" in page
    assert page.count("Bonjour, ici Alice du service client") == 1  # relay not shown twice
    assert 'class="turn agent"' in page and "Conseiller (Alice Agent)" in page
    assert 'class="turn system"' in page and "[choix] Suivre ma commande" in page
    assert "CM483391" in page
    # the order in French, never the slot's keys or Python values (issue 19, defect 4)
    panel = page[page.index('id="order-h"') : page.index('id="transcript-h"')]
    for shown in (
        "État",
        "expédiée",
        "Annulable",
        "non",
        "Théière Kyoto",
        "Thé vert Sencha (produit ouvert ou descellé)",
        "27 novembre",
        "Léa",
    ):
        assert shown in panel, shown
    for internal in ("cancellable", "status", "False", "[{", "sku", "2026-11-27"):
        assert internal not in panel, internal
    # suggestions for the shopper's last message ("Combien coûte la livraison ?")
    assert page.count('data-insert="') == 3
    suggestions = page[page.index('class="suggestions"') : page.index('id="reply"')]
    delivery = [e for e in faq_entries(bo.app.state.kb) if e.topic == "delivery_cost"]
    assert any(str(escape(e.answer)) in suggestions for e in delivery), suggestions
    tracker_calls = [c for c in bo.rasa.calls if c.method == "GET tracker"]
    assert tracker_calls and tracker_calls[0].query["token"] == RASA_TOKEN
    assert RASA_TOKEN not in page


def test_reply_goes_through_trigger_intent(bo: BackOffice) -> None:
    handoff = bo.handoff("conv/é 1")
    csrf = bo.login("agent@boutique.fr")
    response = bo.client.post(
        f"/inbox/{handoff['id']}/reply",
        data={"text": "  Je regarde votre commande.  ", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    [call] = bo.rasa.triggers()
    assert call.params == {
        "conversation": "conv/é 1",
        "name": "agent_reply",
        "entities": {"agent_text": "Je regarde votre commande.", "agent_name": "Alice Agent"},
    }
    assert call.query["output_channel"] == "latest" and call.query["token"] == RASA_TOKEN
    with bo.db() as db:
        stored = db.get(Handoff, handoff["id"])
        assert stored.status == "assigned" and stored.assigned_to == bo.users["agent@boutique.fr"]
        [message] = [m for m in stored.messages if m.sender == "agent"]
        assert message.text == "Je regarde votre commande."
        assert message.author_id == bo.users["agent@boutique.fr"]
    page = bo.client.get(f"/inbox/{handoff['id']}").text
    assert "Je regarde votre commande." in page


def test_rasa_down_shows_an_error_and_sends_nothing(bo: BackOffice) -> None:
    handoff = bo.handoff("conv-down")
    csrf = bo.login("agent@boutique.fr")
    bo.app.state.rasa = RasaClient(f"http://127.0.0.1:{closed_port()}", RASA_TOKEN)
    response = bo.client.post(
        f"/inbox/{handoff['id']}/reply", data={"text": "Réponse importante", "csrf_token": csrf}
    )
    assert response.status_code == 502
    assert "NON envoyé" in response.text and "Rasa injoignable" in response.text
    assert ">Réponse importante</textarea>" in response.text  # the draft is kept
    resolve = bo.client.post(f"/inbox/{handoff['id']}/resolve", data={"csrf_token": csrf})
    assert resolve.status_code == 502 and "NON effectuée" in resolve.text
    bo.app.state.rasa = RasaClient(bo.rasa.url, RASA_TOKEN)
    bo.rasa.fail_with = 500
    again = bo.client.post(
        f"/inbox/{handoff['id']}/reply", data={"text": "Réponse importante", "csrf_token": csrf}
    )
    assert again.status_code == 502 and "Rasa a répondu 500" in again.text
    with bo.db() as db:
        stored = db.get(Handoff, handoff["id"])
        assert stored.status == "waiting" and stored.resolved_at is None
        assert (
            db.scalars(select(HandoffMessage).where(HandoffMessage.sender == "agent")).all() == []
        )


def test_resolve_and_hand_back(bo: BackOffice) -> None:
    first = bo.handoff("conv-1")
    second = bo.handoff("conv-2")
    csrf = bo.login("agent@boutique.fr")
    assert (
        bo.client.post(
            f"/inbox/{first['id']}/assign", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    response = bo.client.post(
        f"/inbox/{first['id']}/resolve", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/inbox"
    bo.client.post(f"/inbox/{second['id']}/return", data={"csrf_token": csrf})
    assert [
        (c.params["conversation"], c.params["name"], c.params["entities"])
        for c in bo.rasa.triggers()
    ] == [("conv-1", "handoff_resolved", {}), ("conv-2", "handoff_returned", {})]
    assert all(c.query["output_channel"] == "latest" for c in bo.rasa.triggers())
    with bo.db() as db:
        one, two = db.get(Handoff, first["id"]), db.get(Handoff, second["id"])
        assert one.status == "resolved" and one.resolved_at == bo.clock.now
        assert two.status == "returned" and two.resolved_at is None
    assert "Aucune conversation en attente" in bo.client.get("/inbox").text
    closed = bo.client.post(
        f"/inbox/{first['id']}/reply", data={"text": "encore", "csrf_token": csrf}
    )
    assert closed.status_code == 409 and len(bo.rasa.triggers()) == 2
    # a new hand-off of the same conversation is a new case
    assert bo.handoff("conv-1")["id"] not in (first["id"], second["id"])


def test_refusals_say_why_in_french_and_change_nothing(bo: BackOffice) -> None:
    handoff = bo.handoff("conv-taken")
    bo.add_user("bob@boutique.fr", "agent", "Bob Conseiller")
    csrf = bo.login("agent@boutique.fr")
    bo.client.post(f"/inbox/{handoff['id']}/assign", data={"csrf_token": csrf})
    bob = TestClient(bo.app, base_url="http://127.0.0.1")
    bob_csrf = bo.login("bob@boutique.fr", client=bob)
    taken = bob.post(f"/inbox/{handoff['id']}/assign", data={"csrf_token": bob_csrf})
    assert taken.status_code == 409 and "déjà pris en charge par Alice Agent" in taken.text
    bo.client.post(f"/inbox/{handoff['id']}/resolve", data={"csrf_token": csrf})
    closed = bob.post(f"/inbox/{handoff['id']}/return", data={"csrf_token": bob_csrf})
    assert closed.status_code == 409 and "déjà clos (résolu)" in closed.text
    with bo.db() as db:
        stored = db.get(Handoff, handoff["id"])
        assert (stored.status, stored.assigned_to) == ("resolved", bo.users["agent@boutique.fr"])
    assert [c.params["name"] for c in bo.rasa.triggers()] == ["handoff_resolved"]
