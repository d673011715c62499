"""A small world of shoppers' data on real databases: Rasa's `events` table written the way
Rasa 3.6's SQLTrackerStore writes it, the back office's database (migrated), the FAQ feedback
file and the erased-conversations file, all under tmp_path; SQLite, or a real PostgreSQL
(`postgres_url` in tests/conftest.py) for the tracker store and the back office."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.backoffice.db import (
    Handoff,
    HandoffMessage,
    Notice,
    NoticeWatch,
    make_engine,
    migrate,
)
from bot.backoffice.tracker_events import events, metadata
from bot.core.handoff import CaseStatus
from bot.privacy.service import Stores
from bot.settings import Settings

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
SECRET = "conversation-secret-for-tests"


@dataclass(frozen=True)
class Shopper:
    email: str
    order: str
    postcode: str
    web: str  # widget conversation id
    telegram_chat: str

    @property
    def telegram(self) -> str:
        return f"telegram-{self.telegram_chat}"

    @property
    def marks(self) -> list[str]:
        """What must not be left anywhere once this shopper is erased."""
        return [self.email, self.order, self.web, self.telegram]


MARIE = Shopper("marie.dupont_92@exemple.fr", "CM483391", "69100", "web-7f3a9c1e5b2d", "555000111")
PAUL = Shopper("paul.martin@exemple.com", "CM482270", "34000", "web-0b1c2d3e4f5a", "555000222")


def rasa_row(sender: str, event: dict[str, Any]) -> dict[str, Any]:
    """An `events` row as SQLTrackerStore.save() makes it from `event.as_dict()`."""
    return {
        "sender_id": sender,
        "type_name": event["event"],
        "timestamp": event.get("timestamp"),
        "intent_name": event.get("parse_data", {}).get("intent", {}).get("name"),
        "action_name": event.get("name"),
        "data": json.dumps(event),
    }


def user(text: str, at: float, intent: str, entities: list[dict[str, Any]] | None = None) -> dict:
    return {
        "event": "user",
        "timestamp": at,
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.97},
            "entities": entities or [],
            "text": text,
        },
        "input_channel": "socketio",
        "message_id": f"m{int(at * 1000)}",
        "metadata": {},
    }


def bot(text: str, at: float, buttons: list[dict[str, str]] | None = None) -> dict:
    return {
        "event": "bot",
        "timestamp": at,
        "text": text,
        "data": {"buttons": buttons} if buttons else {},
        "metadata": {"utter_action": "utter_x"},
    }


def action(name: str, at: float) -> dict:
    return {"event": "action", "timestamp": at, "name": name, "policy": "RulePolicy"}


def slot(name: str, value: Any, at: float) -> dict:
    return {"event": "slot", "timestamp": at, "name": name, "value": value}


def conversation_of(shopper: Shopper, channel: str, start: datetime) -> list[dict[str, Any]]:
    """A conversation about the shopper's order, told in Rasa events (a few seconds apart)."""
    t = start.timestamp()
    if channel == "web":
        return [
            action("action_session_start", t),
            {"event": "session_started", "timestamp": t + 0.1},
            action("action_listen", t + 0.2),
            user(
                f"Bonjour, où en est ma commande {shopper.order} ?",
                t + 1,
                "order_status",
                [{"entity": "order_id", "value": shopper.order}],
            ),
            slot("order_id", shopper.order, t + 1.1),
            bot("Pour vérifier, donnez-moi l'e-mail ou le code postal de la commande.", t + 1.2),
            user(
                f"c'est {shopper.email}",
                t + 5,
                "inform",
                [{"entity": "email", "value": shopper.email}],
            ),
            slot("email", shopper.email, t + 5.1),
            bot(
                f"Votre commande {shopper.order} est en route.",
                t + 5.2,
                [{"title": "Parler à quelqu'un", "payload": "/human"}],
            ),
            user("merci", t + 9, "thanks"),
            bot("Avec plaisir !", t + 9.1),
        ]
    return [
        action("action_session_start", t),
        {"event": "session_started", "timestamp": t + 0.1},
        user("/start", t + 0.5, "greet"),
        bot("Bonjour ! Je suis l'assistant virtuel de la boutique.", t + 0.6),
        user(
            f"mon colis n'arrive pas, mon adresse est {shopper.email.upper()}",
            t + 3,
            "order_status",
            [{"entity": "email", "value": shopper.email.upper()}],
        ),
        slot("email", shopper.email, t + 3.1),
        user(
            f"code postal {shopper.postcode}",
            t + 6,
            "inform",
            [{"entity": "postcode", "value": shopper.postcode}],
        ),
        slot("postcode", shopper.postcode, t + 6.1),
        user("je veux parler à quelqu'un", t + 8, "human"),
        bot("Je vous passe un conseiller.", t + 8.1),
    ]


@dataclass
class World:
    settings: Settings
    stores: Stores
    tracker_url: str
    backoffice_url: str
    folder: Path
    conversations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add_conversation(self, sender: str, conversation: list[dict[str, Any]]) -> None:
        engine = sa.create_engine(self.tracker_url)
        with engine.begin() as db:
            db.execute(sa.insert(events), [rasa_row(sender, e) for e in conversation])
        engine.dispose()
        self.conversations.setdefault(sender, []).extend(conversation)

    def add_case(
        self,
        conversation: str,
        channel: str,
        summary: dict[str, Any],
        messages: list[tuple[str, str]],
        at: datetime = NOW,
        status: CaseStatus = CaseStatus.resolved,
        rating: int | None = None,
    ) -> int:
        with self.stores.backoffice() as db:
            case = Handoff(
                conversation_id=conversation,
                channel=channel,
                reason="asked",
                priority=3,
                status=status,
                summary=summary,
                mood="neutre",
                created_at=at,
                updated_at=at,
                resolved_at=at if status == CaseStatus.resolved else None,
                rating=rating,
                rated_at=at if rating else None,
            )
            db.add(case)
            db.flush()
            for i, (sender, text) in enumerate(messages):
                db.add(
                    HandoffMessage(
                        handoff_id=case.id, sender=sender, text=text, at=at + timedelta(seconds=i)
                    )
                )
            db.commit()
            return case.id

    def add_feedback(self, conversation: str, at: datetime, helpful: bool = True) -> None:
        line = {
            "at": at.isoformat(timespec="seconds"),
            "conversation": conversation,
            "entry": "livraison-delais",
            "helpful": helpful,
            "channel": "socketio",
        }
        with self.settings.faq_feedback_file.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")

    def add_shopper(self, shopper: Shopper, start: datetime = NOW) -> int:
        """Talked on the widget and on Telegram, was handed to an agent there, rated it, and
        said whether an FAQ answer helped. Returns the case id."""
        self.add_conversation(shopper.web, conversation_of(shopper, "web", start))
        self.add_conversation(
            shopper.telegram, conversation_of(shopper, "telegram", start + timedelta(hours=1))
        )
        case = self.add_case(
            shopper.telegram,
            "telegram",
            {
                "request": "mon colis n'arrive pas",
                "order_id": shopper.order,
                "last_messages": [{"sender": "shopper", "text": f"mon e-mail : {shopper.email}"}],
            },
            [
                ("shopper", "Bonjour, toujours rien reçu"),
                ("agent", f"Je regarde la commande {shopper.order} tout de suite."),
                ("shopper", "merci beaucoup"),
            ],
            at=start + timedelta(hours=1, minutes=5),
            rating=5,
        )
        self.add_feedback(shopper.web, start + timedelta(minutes=2))
        self.add_delay_notice(shopper.web, shopper.order, start + timedelta(minutes=3))
        return case

    def add_delay_notice(self, conversation: str, order: str, at: datetime) -> None:
        """The order the shopper proved is followed, was late, and the notice went out."""
        with self.stores.backoffice() as db:
            db.add(
                NoticeWatch(
                    conversation_id=conversation,
                    order_number=order,
                    channel="socketio",
                    created_at=at,
                    updated_at=at,
                    expires_at=at + timedelta(days=30),
                )
            )
            db.add(
                Notice(
                    conversation_id=conversation,
                    order_number=order,
                    event_id=f"{order}:2026-12-03",
                    channel="socketio",
                    status="sent",
                    created_at=at,
                    updated_at=at,
                )
            )
            db.commit()

    # -- what is left, everywhere ------------------------------------------------------------

    def dump_databases(self) -> str:
        """Every row of every table of both databases, as text."""
        out = []
        for url in dict.fromkeys([self.tracker_url, self.backoffice_url]):
            engine = sa.create_engine(url)
            with engine.connect() as db:
                for table in sa.inspect(engine).get_table_names():
                    for row in db.execute(sa.text(f'SELECT * FROM "{table}"')):
                        out.append(f"{table}: {tuple(row)!r}")
            engine.dispose()
        return "\n".join(out)

    def dump_files(self) -> bytes:
        """The bytes of every file under the world's folder (databases, journals, feedback)."""
        return b"\n".join(p.read_bytes() for p in sorted(self.folder.rglob("*")) if p.is_file())

    def leftovers(self, shopper: Shopper) -> list[str]:
        text = self.dump_databases().lower()
        raw = self.dump_files().lower()
        found = []
        for mark in [*shopper.marks, shopper.telegram_chat]:
            if mark.lower() in text:
                found.append(f"{mark} in a table")
            if mark.lower().encode() in raw:
                found.append(f"{mark} in a file")
        return found


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(tracker store URL, back office URL) on SQLite files, or on a real PostgreSQL."""
    if request.param == "sqlite":
        yield (
            f"sqlite:///{tmp_path / 'data' / 'tracker.db'}",
            (f"sqlite:///{tmp_path / 'data' / 'backoffice.db'}"),
        )
    else:
        url = request.getfixturevalue("postgres_url")
        yield url, url


@pytest.fixture
def world(
    database: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    monkeypatch.setenv("COMPTOIR_CONVERSATION_SECRET", SECRET)
    tracker_url, backoffice_url = database
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    settings = Settings(
        tracker_db_url=tracker_url,
        backoffice_db_url=backoffice_url,
        faq_feedback_file=folder / "faq_feedback.jsonl",
        forgotten_db=folder / "forgotten.db",
        rasa_token="rasa-token-for-tests",
        service_token="service-token-for-tests",
        session_secret="s" * 40,
        _env_file=None,  # type: ignore[call-arg]
    )
    engine = sa.create_engine(tracker_url)
    metadata.create_all(engine)  # what Rasa does at its first start
    engine.dispose()
    migrate(backoffice_url)
    bo_engine = make_engine(backoffice_url)
    stores = Stores.from_settings(settings, bo_engine)
    yield World(settings, stores, tracker_url, backoffice_url, folder)
    bo_engine.dispose()
