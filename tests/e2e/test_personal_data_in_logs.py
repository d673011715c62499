"""Nothing personal in logs, and nothing readable by others on disk (issue 17).

A whole conversation over REST with two demo orders — a FAQ answer rated, tracking proved by
e-mail, a new delivery address, tracking proved by postcode, a claim described in the
shopper's words, a hand-off, a message relayed to the agent, the agent's reply, resolution and
rating
— then every log of the stack (shop API, back office, action server, Rasa: access logs
included) is searched for the e-mails, postcodes, first names, the new address and the
sentences the shopper typed. None may appear, and the logs' safety net (bot/core/logs.py,
which masks e-mails and postcode parameters) must not have had anything to mask either: the
test passes because nothing personal is logged, not because it is hidden. Last, every file
the processes created (databases, feedback) must be 0600.
"""

from __future__ import annotations

import re
import stat
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.core.logs import MASKED
from tests.stack import Stack, agent_login, create_user, handoff_of, read_demo_orders, texts

pytestmark = pytest.mark.e2e

NEW_ADDRESS = ("14 rue des Capucines", "49100", "Angers")
CLAIM_WORDS = "le vase turquoise offert par ma tante Ursuline est arrivé complètement cassé"
RELAYED_WORDS = "mon voisin Théodule peut réceptionner le colis de remplacement"
# What must not be logged, beyond the orders' e-mails, postcodes and first names.
TYPED = ["tante Ursuline", "vase turquoise", "voisin Théodule", "Capucines", "49100", "Angers"]
EXPECTED_FILES = ("shop.db", "backoffice.db", "tracker.db", "proof_throttle.db")


def orders_of(stack: Stack, status: str) -> list[dict]:
    """A few demo orders of one status: the last one is the least used by other tests."""
    found = read_demo_orders(stack.env, per_status=3)
    return [order for order in found if order["status"] == status]


def personal_values(*orders: dict) -> list[str]:
    values = list(TYPED)
    for order in orders:
        email = order["email"]
        values += [email, quote(email, safe=""), email.split("@")[0], order["postcode"]]
        values.append(order["first_name"])
    return list(dict.fromkeys(values))


def occurrences(value: str, text: str) -> list[str]:
    """Lines of `text` holding `value` as a whole word (a postcode inside a longer number,
    a first name inside another word, are not it)."""
    pattern = re.compile(rf"(?<![\w]){re.escape(value)}(?![\w])")
    return [line.strip()[:300] for line in text.splitlines() if pattern.search(line)]


def log_files(stack: Stack) -> list[Path]:
    return sorted(stack.logs.glob("*.log"))


def say(stack: Stack, sender: str, message: str, timeout: float = 30) -> str:
    return texts(stack.say(sender, message, timeout=timeout))


def test_a_whole_conversation_leaves_nothing_personal_in_logs(stack: Stack) -> None:
    paid = orders_of(stack, "paid")[-1]
    delivered = orders_of(stack, "delivered")[-1]
    sender = f"e2e-privacy-{uuid.uuid4().hex[:8]}"
    started = {path: path.stat().st_size for path in log_files(stack)}

    # A FAQ answer, rated helpful (the feedback file).
    replies = stack.say(sender, "Est-ce que je peux payer en plusieurs fois sans frais ?", 120)
    helpful = [
        button["payload"]
        for reply in replies
        for button in reply.get("buttons") or []
        if '"yes"' in button.get("payload", "")
    ]
    assert helpful, texts(replies)
    say(stack, sender, helpful[0])

    # Tracking, proved by e-mail; the shopper gives their first name on the way.
    asked = say(stack, sender, f"Bonjour, ici {paid['first_name']} : où en est ma commande ?")
    assert "numéro" in asked, asked
    asked = say(stack, sender, paid["number"])
    assert "adresse e-mail" in asked or "code postal" in asked, asked
    assert paid["number"] in say(stack, sender, f"mon mail c'est {paid['email']}")

    # A new delivery address, confirmed.
    line1, postcode, city = NEW_ADDRESS
    change = f"je voudrais changer l'adresse de livraison de ma commande {paid['number']}"
    asked = say(stack, sender, change)
    assert "adresse" in asked, asked
    summary = say(stack, sender, f"{line1} {postcode} {city}")
    assert "Capucines" in summary, summary
    done = say(stack, sender, "oui c'est bien ça")
    assert "sera livrée au 14 rue des Capucines" in done, done

    # Another order, tracked with its postcode, then a claim described in the shopper's words.
    asked = say(stack, sender, f"et où en est ma commande {delivered['number']} ?")
    assert "code postal" in asked or "adresse e-mail" in asked, asked
    assert delivered["number"] in say(stack, sender, f"code postal {delivered['postcode']}")
    summary = say(stack, sender, f"Bonjour, commande {delivered['number']} : {CLAIM_WORDS}")
    assert delivered["number"] in summary, summary
    created = say(stack, sender, "oui")
    # In the whole suite, other conversations may have opened this kind of claim on the same
    # order already (the demo shop has 30 delivered orders): either way the shop was called
    # with the shopper's words.
    assert "réclamation est enregistrée" in created or "déjà ouverte" in created, created

    # A person: the shopper's message is relayed, the agent answers by first name.
    agent_email = f"agent.{sender}@boutique-demo.fr"
    create_user(stack, agent_email, "agent")
    say(stack, sender, "je voudrais parler à un conseiller")
    assert stack.say(sender, RELAYED_WORDS) == []
    case = handoff_of(stack, sender)
    assert any(RELAYED_WORDS in m["text"] for m in case["messages"])
    agent = agent_login(stack, agent_email)
    answer = f"Bonjour {paid['first_name']}, je m'occupe de votre colis tout de suite."
    reply = agent.post(
        f"{stack.backoffice_url}/inbox/{case['id']}/reply", timeout=30, data={"text": answer}
    )
    assert reply.ok, reply.text[:500]
    assert any(answer in (e.get("text") or "") for e in stack.bot_events(sender))
    resolved = agent.post(f"{stack.backoffice_url}/inbox/{case['id']}/resolve", timeout=30)
    assert resolved.ok, resolved.text[:500]
    rating = stack.bot_events(sender)[-1]["data"]["buttons"][-1]["payload"]
    say(stack, sender, rating)
    assert handoff_of(stack, sender)["rating"] is not None

    time.sleep(1)  # the last access-log lines
    problems: list[str] = []
    for path in log_files(stack):
        text = path.read_text(errors="replace")
        for value in personal_values(paid, delivered):
            for line in occurrences(value, text):
                problems.append(f"{path.name}: {value!r} in: {line}")
        ours = text[started.get(path, 0) :]
        for line in ours.splitlines():
            if MASKED in line:  # the safety net had to act: something logged it at the source
                problems.append(f"{path.name}: masked by the safety net: {line.strip()[:300]}")

    created_files = [
        path
        for path in stack.logs.rglob("*")
        if path.is_file()
        and path.suffix != ".log"  # written by the tests' harness, not by the processes
        and "kb_index" not in path.relative_to(stack.logs).parts  # copied by the harness
    ]
    names = {path.name for path in created_files}
    for expected in (*EXPECTED_FILES, Path(stack.env["COMPTOIR_FAQ_FEEDBACK_FILE"]).name):
        if expected not in names:
            problems.append(f"{expected}: not created where the stack was told to")
    for path in created_files:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o600:
            problems.append(f"{path.relative_to(stack.logs)}: mode {mode:o}, not 600")

    assert not problems, "\n".join(problems)
