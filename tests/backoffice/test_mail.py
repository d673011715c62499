"""After-hours replies by e-mail (issue 19, bot/backoffice/mail): the address given for a case,
the outbox and its worker against a real SMTP server on 127.0.0.1 (aiosmtpd, started here), the
mail's contents, the link back to the conversation, the case page, and privacy."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from bot.backoffice.app import create_app
from bot.backoffice.db import EmailContact, Handoff, HandoffMessage, MailOutbox
from bot.backoffice.mail import links, outbox, worker
from bot.core.email_address import mask, valid_address
from bot.privacy import service
from bot.privacy.criteria import Criteria
from bot.privacy.stores import FeedbackFile, TrackerStore
from bot.settings import Settings
from bot.tools.processes import free_port

from .conftest import OPEN_TIME, RASA_TOKEN, SERVICE_TOKEN, BackOffice, Clock, RasaStandIn

LINK_SECRET = "mail-link-secret-for-tests"
PAGE = "http://boutique.exemple.test/"
SHOPPER = "jeanne.martin@exemple.fr"
CLOSED_TIME = OPEN_TIME + timedelta(hours=12)  # 22:00 in Paris


# ------------------------------------------------------------------ a local SMTP server
class Inbox:
    """aiosmtpd handler: keeps every mail; answers "451" to the next `refuse` ones."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = 0
        self.refusal = "451 4.3.0 Essayez plus tard"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            self.refuse -= 1
            return self.refusal
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.mails.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


class NoKnowledgeBase:
    def search(self, *_: Any, **__: Any) -> Any:
        raise RuntimeError("no knowledge base in these tests")


def mail_settings(tmp_path: Path, rasa: RasaStandIn, port: int, **more: Any) -> Settings:
    values: dict[str, Any] = {
        "backoffice_db_url": f"sqlite:///{tmp_path / 'backoffice.db'}",
        "rasa_url": rasa.url,
        "rasa_token": RASA_TOKEN,
        "service_token": SERVICE_TOKEN,
        "session_secret": "x" * 40,
        "backoffice_public_url": "http://bo.example.test",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "mail_from": "Service client <service-client@boutique-demo.fr>",
        "mail_link_secret": LINK_SECRET,
        "widget_page_url": PAGE,
        "mail_group_seconds": 0,
        "mail_worker_seconds": 0,  # the tests run the worker's passes themselves
        "mail_retry_seconds": 60,
        "forgotten_db": tmp_path / "forgotten.db",
        "purge_every_hours": 0,
        **more,
    }
    return Settings(**values)


class Office(BackOffice):
    inbox: Inbox
    csrf: str = ""

    def open_case(self, conversation: str = "web-abc") -> int:
        return int(self.handoff(conversation)["id"])

    def give_email(self, conversation: str = "web-abc", address: str = SHOPPER) -> Any:
        return self.api(f"/api/handoffs/{conversation}/email", {"email": address})

    def reply(self, case_id: int, text: str) -> None:
        csrf = self.csrf
        response = self.client.post(
            f"/inbox/{case_id}/reply",
            data={"text": text, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text

    def send(self) -> dict[str, int]:
        return dict(asyncio.run(worker.send_due(self.app.state)))

    def rows(self) -> list[MailOutbox]:
        with self.db() as db:
            return list(db.scalars(select(MailOutbox).order_by(MailOutbox.id)))


def start_office(
    settings: Settings, rasa: RasaStandIn, clock: Clock, inbox: Inbox, fresh: bool = True
) -> Iterator[Office]:
    app = create_app(settings, kb=NoKnowledgeBase(), clock=clock)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        office = Office(client, app, rasa, clock)
        office.inbox = inbox
        if fresh:  # else: a restart, the account is in the database already
            office.add_user("agent@boutique.fr", "agent", "Julie Martin")
        office.csrf = office.login("agent@boutique.fr")
        yield office


@pytest.fixture
def office(tmp_path: Path, rasa: RasaStandIn, smtp: tuple[Inbox, int]) -> Iterator[Office]:
    inbox, port = smtp
    clock = Clock(CLOSED_TIME)
    yield from start_office(mail_settings(tmp_path, rasa, port), rasa, clock, inbox)


def link_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+#reprise=\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def token_of(link: str) -> str:
    return link.split("#reprise=", 1)[1]


# ------------------------------------------------------------------ addresses
@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("jeanne.martin@exemple.fr", "jeanne.martin@exemple.fr"),
        ("  Jeanne.Martin@Exemple.FR ", "Jeanne.Martin@exemple.fr"),
        ("c'est jeanne+chat@mail.exemple.fr, merci !", "jeanne+chat@mail.exemple.fr"),
        ("mon adresse : jm@exemple.com.", "jm@exemple.com"),
    ],
)
def test_an_address_is_found_and_normalised(text: str, address: str) -> None:
    assert valid_address(text) == address


@pytest.mark.parametrize(
    "text",
    [
        "",
        "oui",
        "jeanne.martin@",
        "@exemple.fr",
        "jeanne..martin@exemple.fr",
        ".jeanne@exemple.fr",
        "jeanne@exemple",
        "jeanne@exemple.f",
        "jeanne@-exemple.fr",
        "jeanne@exemple.fr ou jm@exemple.fr",  # two: which one?
        "a" * 65 + "@exemple.fr",
        "j@" + "a" * 250 + ".fr",
    ],
)
def test_what_is_not_a_sane_address(text: str) -> None:
    assert valid_address(text) is None


def test_an_address_is_masked_for_the_agent() -> None:
    assert mask("jeanne.martin@exemple.fr") == "j…@exemple.fr"
    assert mask("x@y.fr") == "x…@y.fr"
    assert mask("pas une adresse") == "…"


# ------------------------------------------------------------------ the link's token
def test_a_token_names_its_row_until_it_expires() -> None:
    expires = OPEN_TIME + timedelta(days=7)
    token = links.make_token(LINK_SECRET, 42, expires)
    assert links.read_token(LINK_SECRET, token, OPEN_TIME) == 42
    assert "web-" not in token  # never the conversation itself
    assert links.read_token(LINK_SECRET, token, expires) is None  # expired
    assert links.read_token("another-secret", token, OPEN_TIME) is None
    row, stamp, signature = token.split(".")
    assert links.read_token(LINK_SECRET, f"43.{stamp}.{signature}", OPEN_TIME) is None
    later = int(stamp) + 86400
    assert links.read_token(LINK_SECRET, f"{row}.{later}.{signature}", OPEN_TIME) is None
    assert links.read_token(LINK_SECRET, token + "x", OPEN_TIME) is None
    assert links.read_token(LINK_SECRET, "", OPEN_TIME) is None


# ------------------------------------------------------------------ the service API
def test_the_address_goes_to_the_open_case(office: Office) -> None:
    case_id = office.open_case()
    assert office.give_email().status_code == 204
    with office.db() as db:
        [contact] = db.scalars(select(EmailContact)).all()
        assert (contact.handoff_id, contact.email) == (case_id, SHOPPER)
    assert office.give_email(address="pas-une-adresse").status_code == 422
    assert office.give_email("web-nobody").status_code == 404
    anonymous = office.client.post("/api/handoffs/web-abc/email", json={"email": SHOPPER})
    assert anonymous.status_code == 401


def test_the_case_page_tells_the_agent_the_reply_is_also_mailed(office: Office) -> None:
    case_id = office.open_case()
    assert "aussi envoyée par e-mail" not in office.client.get(f"/inbox/{case_id}").text
    office.give_email()
    page = office.client.get(f"/inbox/{case_id}").text
    assert "Réponse aussi envoyée par e-mail à j…@exemple.fr" in page
    assert SHOPPER not in page


# ------------------------------------------------------------------ outbox and worker
def test_a_reply_is_mailed_once_in_french_with_a_link(office: Office) -> None:
    case_id = office.open_case()
    office.give_email()
    office.reply(case_id, "Bonjour, votre colis part demain matin.\nBonne soirée !")
    assert len(office.rasa.triggers()) == 1  # the chat gets it too, as before
    assert office.send() == {"sent": 1}
    assert office.send() == {}  # sent once
    [mail] = office.inbox.mails
    assert office.inbox.envelopes == [("service-client@boutique-demo.fr", [SHOPPER])]
    assert mail["Subject"] == "Réponse du service client — La Maison du Thé"
    assert mail["To"] == SHOPPER
    plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Julie, du service client de La Maison du Thé, a répondu" in plain
    assert "Martin" not in plain  # the agent's first name only
    assert "votre colis part demain matin." in plain and "Bonne soirée !" in plain
    assert "valable jusqu'au 2 décembre 2026" in plain  # 7 days after 25 Nov
    assert "Reprendre la conversation" in html and "votre colis part demain matin." in html
    link = link_of(mail)
    assert link.startswith(PAGE + "#reprise=") and "web-abc" not in link
    assert token_of(link) in html
    [row] = office.rows()
    assert (row.status, row.attempts, row.handoff_id) == ("sent", 1, case_id)


def test_the_agents_words_are_escaped_in_the_html_part(office: Office) -> None:
    case_id = office.open_case()
    office.give_email()
    office.reply(case_id, 'Voir <a href="http://x.test">ici</a> & <script>alert(1)</script>')
    office.send()
    html = office.inbox.mails[0].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and '<a href="http://x.test">' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&amp;" in html


def test_login_to_the_smtp_server_when_configured(
    tmp_path: Path, rasa: RasaStandIn, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        logins.append((auth.login, auth.password))
        return AuthResult(success=auth.password == b"secret-smtp")

    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        clock = Clock(CLOSED_TIME)
        for password, outcome in (("wrong", "failed"), ("secret-smtp", "sent")):
            settings = mail_settings(
                tmp_path / password,
                rasa,
                port,
                smtp_user="boutique",
                smtp_password=password,
                smtp_timeout=2,
            )
            (tmp_path / password).mkdir()
            for office in start_office(settings, rasa, clock, inbox):
                case_id = office.open_case()
                office.give_email()
                office.reply(case_id, "Bonjour.")
                [(result, count)] = office.send().items()
                assert result.startswith(outcome) and count == 1
    finally:
        controller.stop()
    assert logins == [(b"boutique", b"wrong"), (b"boutique", b"secret-smtp")]
    assert len(inbox.mails) == 1


def test_no_address_no_mail(office: Office) -> None:
    case_id = office.open_case()
    office.reply(case_id, "Je regarde.")
    assert office.rows() == [] and office.send() == {}


def test_replies_in_a_short_time_make_one_mail(
    tmp_path: Path, rasa: RasaStandIn, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    clock = Clock(CLOSED_TIME)
    settings = mail_settings(tmp_path, rasa, port, mail_group_seconds=60)
    for office in start_office(settings, rasa, clock, inbox):
        case_id = office.open_case()
        office.give_email()
        office.reply(case_id, "Premier message.")
        office.reply(case_id, "Second message.")
        assert office.send() == {}  # still grouping
        clock.now += timedelta(seconds=61)
        assert office.send() == {"sent": 1}
        [mail] = inbox.mails
        plain = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "Premier message." in plain and "Second message." in plain


def test_a_refused_send_is_retried_with_back_off(office: Office) -> None:
    case_id = office.open_case()
    office.give_email()
    office.reply(case_id, "Votre remboursement est en cours.")
    office.inbox.refuse = 2
    assert office.send() == {"failed": 1}
    [row] = office.rows()
    assert row.status == "failed" and "451" in (row.last_error or "")
    assert office.send() == {}  # not before its time
    office.clock.now += timedelta(seconds=61)
    assert office.send() == {"failed": 1}  # second refusal: waits twice as long
    office.clock.now += timedelta(seconds=61)
    assert office.send() == {}
    office.clock.now += timedelta(seconds=60)
    assert office.send() == {"sent": 1}
    assert len(office.inbox.mails) == 1


def test_a_permanent_refusal_is_not_retried(office: Office) -> None:
    case_id = office.open_case()
    office.give_email()
    office.reply(case_id, "Bonjour.")
    office.inbox.refuse, office.inbox.refusal = 1, "550 5.1.1 Adresse inconnue"
    assert office.send() == {"failed:gave_up": 1}
    office.clock.now += timedelta(days=1)
    assert office.send() == {} and office.inbox.mails == []
    [row] = office.rows()
    assert row.status == "failed" and row.next_try_at is None and "550" in (row.last_error or "")


def test_an_unreachable_server_is_retried_then_given_up(
    tmp_path: Path, rasa: RasaStandIn, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    clock = Clock(CLOSED_TIME)
    closed_port = free_port()  # nothing listens there
    settings = mail_settings(tmp_path, rasa, closed_port, mail_max_attempts=2, smtp_timeout=2)
    for office in start_office(settings, rasa, clock, inbox):
        case_id = office.open_case()
        office.give_email()
        office.reply(case_id, "Bonjour.")
        assert office.send() == {"failed": 1}
        clock.now += timedelta(seconds=61)
        assert office.send() == {"failed:gave_up": 1}
        clock.now += timedelta(days=1)
        assert office.send() == {}


def test_a_mail_queued_before_a_restart_is_sent_after_it(
    tmp_path: Path, rasa: RasaStandIn, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    clock = Clock(CLOSED_TIME)
    settings = mail_settings(tmp_path, rasa, port)
    for office in start_office(settings, rasa, clock, inbox):
        case_id = office.open_case()
        office.give_email()
        office.reply(case_id, "Message d'avant le redémarrage.")
        with office.db() as db:  # a worker took it, then its process died mid-send
            assert outbox.claim(db, office.rows()[0].id, clock.now) is not None
    assert inbox.mails == []
    for office in start_office(settings, rasa, clock, inbox, fresh=False):  # same database
        assert office.send() == {}  # its lease still runs
        clock.now += outbox.LEASE + timedelta(seconds=1)
        assert office.send() == {"sent": 1}
        [mail] = inbox.mails
        assert "Message d'avant le redémarrage." in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_the_feature_is_off_without_an_smtp_server(
    tmp_path: Path, rasa: RasaStandIn, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    clock = Clock(CLOSED_TIME)
    settings = mail_settings(tmp_path, rasa, port, smtp_host="", mail_worker_seconds=1)
    assert worker.start(type("State", (), {"settings": settings})()) == []
    for office in start_office(settings, rasa, clock, inbox):
        case_id = office.open_case()
        office.give_email()  # an address given before the feature was turned off
        office.reply(case_id, "Bonjour.")
        assert office.rows() == [] and office.send() == {}


# ------------------------------------------------------------------ the link back
def test_the_link_reopens_the_conversation_until_it_expires(office: Office) -> None:
    case_id = office.open_case()
    office.rasa.trackers["web-abc"] = {
        "sender_id": "web-abc",
        "events": [
            {"event": "user", "text": "Je voudrais parler à quelqu'un", "timestamp": 1.0},
            {"event": "bot", "text": "Notre service client est fermé.", "timestamp": 2.0},
            {
                "event": "user",
                "text": "EXTERNAL: agent_reply",
                "timestamp": 3.0,
                "parse_data": {
                    "intent": {"name": "agent_reply"},
                    "entities": [
                        {"entity": "agent_text", "value": "Votre colis part demain."},
                        {"entity": "agent_name", "value": "Julie Martin"},
                    ],
                },
            },
            {"event": "bot", "text": "Julie, du service client, a rejoint la conversation."},
            {"event": "bot", "text": "Julie (service client) : Votre colis part demain."},
        ],
    }
    office.give_email()
    office.reply(case_id, "Votre colis part demain.")
    office.send()
    token = token_of(link_of(office.inbox.mails[0]))

    answer = office.api("/api/reprise", {"token": token})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["session_id"] == "web-abc" and data["handoff"] is True
    assert data["agent"] == "Julie"
    assert data["history"] == [
        {"from": "user", "text": "Je voudrais parler à quelqu'un", "at": 1000},
        {"from": "bot", "text": "Notre service client est fermé.", "at": 2000},
        {
            "from": "note",
            "agent": "Julie",
            "text": "Julie, du service client, a rejoint la conversation.",
            "at": None,
        },
        {"from": "agent", "agent": "Julie", "text": "Votre colis part demain.", "at": 3000},
    ]
    row, stamp, signature = token.split(".")
    tampered = f"{int(row) + 1}.{stamp}.{signature}"
    assert office.api("/api/reprise", {"token": tampered}).status_code == 404
    assert office.client.post("/api/reprise", json={"token": token}).status_code == 401
    office.clock.now += timedelta(days=7, seconds=1)
    assert office.api("/api/reprise", {"token": token}).status_code == 404
    office.send()  # the sweep deletes the row and the agent's words with it
    assert office.rows() == []


# ------------------------------------------------------------------ privacy
def stores_of(office: Office, tmp_path: Path) -> service.Stores:
    return service.Stores(
        tracker=TrackerStore(f"sqlite:///{tmp_path / 'no-tracker.db'}"),
        backoffice=office.app.state.sessions,
        feedback=FeedbackFile(tmp_path / "feedback.jsonl"),
        forgotten_db=tmp_path / "forgotten.db",
    )


def test_found_by_address_exported_and_erased(office: Office, tmp_path: Path) -> None:
    case_id = office.open_case()
    office.give_email()
    office.reply(case_id, "Votre colis part demain.")
    office.send()
    other = office.open_case("web-other")
    office.give_email("web-other", "quelquun@ailleurs.fr")
    stores = stores_of(office, tmp_path)

    findings = service.find(stores, Criteria.build(emails=[SHOPPER.upper()]))
    assert findings.conversation_ids == ["web-abc"]
    assert findings.counts()["email_replies"] == 2
    [conversation] = service.export_data(findings)["conversations"]
    assert conversation["email_addresses"][0]["email"] == SHOPPER
    [sent] = conversation["emails"]
    assert sent["text"] == "Votre colis part demain." and sent["status"] == "sent"

    counts = service.erase(stores, findings)
    assert counts["email_replies"] == 2
    with office.db() as db:
        assert db.scalar(select(func.count()).select_from(MailOutbox)) == 0
        [left] = db.scalars(select(EmailContact)).all()
        assert left.handoff_id == other  # the other shopper's address stays
    assert not service.find(stores, Criteria.build(emails=[SHOPPER]))


def test_a_deleted_case_takes_its_address_and_mails_with_it(office: Office) -> None:
    case_id = office.open_case()
    office.give_email()
    office.reply(case_id, "Bonjour.")
    with office.db() as db:  # as the retention purge deletes an old case (bot/privacy)
        db.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id == case_id))
        db.execute(delete(Handoff).where(Handoff.id == case_id))
        db.commit()
        assert db.scalar(select(func.count()).select_from(EmailContact)) == 0
        assert db.scalar(select(func.count()).select_from(MailOutbox)) == 0


# ------------------------------------------------------------------ the widget's page
def test_the_page_exchanges_a_token_through_the_back_office(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.clients.backoffice.client import BackOfficeClient, HandoffNotOpen
    from bot.web.app import create_app as create_page

    asked: list[str] = []

    def resume(self: Any, token: str) -> dict[str, Any]:
        asked.append(token)
        if token.startswith("7."):
            raise HandoffNotOpen("/api/reprise")
        return {"session_id": "web-abc", "history": [], "handoff": True, "agent": "Julie"}

    monkeypatch.setattr(BackOfficeClient, "resume", resume)
    page = TestClient(create_page("http://127.0.0.1:5005"))
    good = links.make_token(LINK_SECRET, 8, OPEN_TIME)
    answer = page.post("/widget/reprise", json={"token": good})
    assert answer.status_code == 200 and answer.json()["session_id"] == "web-abc"
    assert answer.headers["cache-control"] == "no-store"
    expired = links.make_token(LINK_SECRET, 7, OPEN_TIME)
    assert page.post("/widget/reprise", json={"token": expired}).status_code == 404
    for junk in ("", "web-abc", "1.2.3", {"a": 1}, "8.1.' OR 1=1 --xxxxxxxxxxxxx"):
        assert page.post("/widget/reprise", json={"token": junk}).status_code == 404
    assert asked == [good, expired]  # junk never reaches the back office
