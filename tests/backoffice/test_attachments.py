"""Photos from the widget (issue 19): what the back office accepts, where it keeps them, who
sees them, and how they leave with the shopper's data (bot/backoffice/attachments.py,
routes/attachments.py, bot/privacy)."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.backoffice import attachments
from bot.backoffice.db import Attachment, HandoffMessage
from bot.clients.backoffice import photo_links
from bot.core.edge import WebConversationIds
from bot.settings import ROOT, Settings

from .conftest import SERVICE_TOKEN, BackOffice

WIDGET = "http://127.0.0.1:8200"
IDS = WebConversationIds("secret-of-the-widget-channel")


def png(width: int = 2, height: int = 2, extra: bytes = b"") -> bytes:
    """A real PNG (red pixels), optionally with chunks before the image data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + extra
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def png_text_chunk(text: bytes) -> bytes:
    body = b"tEXt" + text
    return struct.pack(">I", len(text)) + body + struct.pack(">I", zlib.crc32(body))


def jpeg_with_exif() -> bytes:
    """A JPEG's structure: SOI, APP0 (JFIF), APP1 (EXIF with a GPS tag), DQT, SOS, data, EOI."""

    def segment(marker: int, data: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(data) + 2) + data

    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xE1, b"Exif\x00\x00GPS 43.6N 3.9E serial 123456")
        + segment(0xDB, b"\x00" + bytes(range(64)))
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x12\x34\x56\x78"
        + b"\xff\xd9"
    )


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The conftest's settings, with the photos, the tracker and the erasure register in tmp."""
    return settings.model_copy(
        update={
            "attachments_dir": tmp_path / "attachments",
            "attachment_max_bytes": 64 * 1024,
            "attachments_per_conversation": 3,
            "web_port": 8200,
            "tracker_db": tmp_path / "tracker.db",
            "forgotten_db": tmp_path / "forgotten.db",
            "faq_feedback_file": tmp_path / "feedback.jsonl",
        }
    )


@pytest.fixture
def office(bo: BackOffice) -> BackOffice:
    bo.app.state.conversation_ids = IDS
    return bo


def upload(
    client: TestClient,
    conversation: str,
    data: bytes,
    name: str = "colis.png",
    content_type: str = "image/png",
    origin: str | None = WIDGET,
) -> Any:
    headers = {"Origin": origin} if origin else {}
    return client.post(
        "/api/attachments",
        data={"conversation": conversation},
        files={"photo": (name, data, content_type)},
        headers=headers,
    )


def rows(office: BackOffice) -> list[Attachment]:
    with office.db() as db:
        return list(db.query(Attachment).order_by(Attachment.created_at))


# ── What is accepted ──────────────────────────────────────────────────────────────────────


def test_a_png_is_kept_out_of_the_web_root_and_handed_to_the_bot(
    office: BackOffice, settings: Settings
) -> None:
    conversation = IDS.issue()
    response = upload(office.client, conversation, png())
    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == WIDGET
    body = response.json()
    assert body["type"] == "image/png" and body["to"] == "bot"
    [row] = rows(office)
    assert row.id == body["id"] and row.conversation_id == conversation
    assert row.size == len(png()) and len(row.sha256) == 64
    stored = Path(settings.attachments_dir) / row.id
    assert stored.read_bytes() == png()
    assert stored.stat().st_mode & 0o077 == 0  # private to the back office's account
    # Not under any folder a web server serves: the back office's static files, the widget's.
    for web_root in (ROOT / "bot" / "backoffice" / "static", ROOT / "bot" / "web" / "static"):
        assert not stored.resolve().is_relative_to(web_root)
    assert office.client.get(f"/static/{row.id}").status_code == 404
    # The bot is told, with the photo's id, in the same conversation.
    [trigger] = office.rasa.triggers()
    assert trigger.params["conversation"] == conversation
    assert trigger.params["name"] == "photo_sent"
    assert trigger.params["entities"] == {"attachment_id": row.id}


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("photo.jpg", png()[:7] + b"X" + png()[8:], "image/jpeg"),  # broken PNG signature
        ("dessin.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "image/svg+xml"),
        ("facture.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "image/png"),
        ("page.html", b"<!doctype html><script>alert(1)</script>", "image/jpeg"),
    ],
)
def test_what_is_not_a_photo_is_refused_whatever_its_name_or_declared_type(
    office: BackOffice, name: str, data: bytes, content_type: str
) -> None:
    response = upload(office.client, IDS.issue(), data, name, content_type)
    assert response.status_code == 415
    assert response.json()["detail"] == attachments.TYPE_REFUSED
    assert "JPEG, PNG ou WebP" in response.json()["detail"]
    assert response.headers["access-control-allow-origin"] == WIDGET  # the widget reads why
    assert rows(office) == [] and office.rasa.triggers() == []


def test_the_type_comes_from_the_bytes_not_the_name(office: BackOffice) -> None:
    """A PNG named .jpg and declared image/jpeg is kept, as the PNG it is."""
    response = upload(office.client, IDS.issue(), png(), "photo.jpg", "image/jpeg")
    assert response.status_code == 201
    assert response.json()["type"] == "image/png"
    assert attachments.sniff(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert attachments.sniff(jpeg_with_exif()) == "image/jpeg"


def test_an_empty_or_oversize_file_is_refused_in_french(office: BackOffice) -> None:
    empty = upload(office.client, IDS.issue(), b"")
    assert empty.status_code == 422
    assert empty.json()["detail"] == attachments.EMPTY_REFUSED
    big = png(extra=png_text_chunk(b"x" * (70 * 1024)))
    oversize = upload(office.client, IDS.issue(), big)
    assert oversize.status_code == 413
    assert oversize.json()["detail"] == "Cette photo est trop lourde : 0,0625 Mo au plus. " + (
        "Essayez une photo plus légère."
    )
    assert rows(office) == []


def test_a_conversation_id_the_channel_did_not_sign_is_refused(office: BackOffice) -> None:
    forged = IDS.issue()[:-3] + "abc"
    other_secret = WebConversationIds("another-secret").issue()
    for conversation in (forged, other_secret, "telegram-12345", ""):
        response = upload(office.client, conversation, png())
        assert response.status_code == 403
        assert response.json()["detail"] == attachments.SIGNATURE_REFUSED
    assert rows(office) == [] and office.rasa.triggers() == []


def test_only_the_widgets_pages_may_upload(office: BackOffice) -> None:
    refused = upload(office.client, IDS.issue(), png(), origin="https://evil.example")
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    preflight = office.client.options("/api/attachments", headers={"Origin": WIDGET})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == WIDGET
    assert rows(office) == []


def test_a_conversation_may_send_only_a_few_photos(office: BackOffice) -> None:
    conversation = IDS.issue()
    for _ in range(3):
        assert upload(office.client, conversation, png()).status_code == 201
    fourth = upload(office.client, conversation, png())
    assert fourth.status_code == 429
    assert "déjà envoyé 3 photos" in fourth.json()["detail"]
    assert upload(office.client, IDS.issue(), png()).status_code == 201  # another shopper


def test_metadata_is_taken_out_of_jpeg_and_png(office: BackOffice, settings: Settings) -> None:
    jpeg = jpeg_with_exif()
    cleaned = attachments.without_metadata(jpeg, attachments.JPEG)
    assert b"GPS" not in cleaned and b"Exif" not in cleaned
    assert cleaned.startswith(b"\xff\xd8\xff\xe0") and cleaned.endswith(b"\x12\x34\x56\x78\xff\xd9")
    tagged = png(extra=png_text_chunk(b"Comment\x00pris au 3 rue des Lilas"))
    response = upload(office.client, IDS.issue(), tagged)
    [row] = rows(office)
    kept = (Path(settings.attachments_dir) / row.id).read_bytes()
    assert b"Lilas" not in kept and kept == png()
    assert response.json()["size"] == len(png())


def test_when_rasa_is_down_the_photo_is_not_kept(office: BackOffice) -> None:
    office.rasa.fail_with = 500
    response = upload(office.client, IDS.issue(), png())
    assert response.status_code == 503
    assert "Réessayez dans un instant" in response.json()["detail"]
    assert rows(office) == []


# ── During a hand-off: the agent sees it ─────────────────────────────────────────────────


def test_during_a_hand_off_the_photo_goes_to_the_case_and_only_agents_see_it(
    office: BackOffice,
) -> None:
    conversation = IDS.issue()
    case = office.handoff(conversation)
    response = upload(office.client, conversation, png())
    assert response.status_code == 201 and response.json()["to"] == "agent"
    assert office.rasa.triggers() == []  # the bot stays out of a hand-off
    with office.db() as db:
        [message] = db.query(HandoffMessage).filter_by(handoff_id=case["id"]).all()
        assert message.sender == "shopper" and "Photo jointe" in message.text
    photo_id = response.json()["id"]

    anonymous = office.client.get(f"/photos/{photo_id}", headers={"Accept": "image/*"})
    assert anonymous.status_code == 401
    office.login("editor@boutique.fr")
    assert office.client.get(f"/photos/{photo_id}").status_code == 403
    assert office.client.get(f"/inbox/{case['id']}/photos").status_code == 403

    agent = TestClient(office.app, base_url="http://127.0.0.1")
    office.login("agent@boutique.fr", client=agent)
    seen = agent.get(f"/photos/{photo_id}")
    assert seen.status_code == 200 and seen.content == png()
    assert seen.headers["content-type"] == "image/png"
    assert seen.headers["x-content-type-options"] == "nosniff"
    assert seen.headers["content-disposition"].startswith("inline")
    panel = agent.get(f"/inbox/{case['id']}/photos")
    assert f'<img src="/photos/{photo_id}"' in panel.text
    page = agent.get(f"/inbox/{case['id']}")
    assert f'hx-get="/inbox/{case["id"]}/photos"' in page.text and "Photos du client" in page.text
    assert "img-src 'self'" in page.headers["content-security-policy"]
    assert agent.get("/photos/" + "a" * 32).status_code == 404


def test_the_shops_link_works_signed_and_until_it_expires(office: BackOffice) -> None:
    response = upload(office.client, IDS.issue(), png())
    photo_id = response.json()["id"]
    now = office.clock()
    link = photo_links.make("http://bo.example.test", SERVICE_TOKEN, photo_id, now, 30)
    path = link.removeprefix("http://bo.example.test")
    assert office.client.get(path).content == png()  # no login: the signature is the right
    assert office.client.get(path[:-2] + "00").status_code == 403
    other = photo_links.make("http://x", "another-token", photo_id, now, 30).split("/", 3)[3]
    assert office.client.get("/" + other).status_code == 403
    office.clock.now = now + timedelta(days=31)
    assert office.client.get(path).status_code == 403


# ── Privacy ──────────────────────────────────────────────────────────────────────────────


def test_the_shoppers_photos_are_found_exported_and_erased(
    office: BackOffice, settings: Settings
) -> None:
    from bot.privacy.criteria import Criteria
    from bot.privacy.service import Stores, erase, export_data, find

    mine, theirs = IDS.issue(), IDS.issue()
    kept = upload(office.client, mine, png()).json()["id"]
    other = upload(office.client, theirs, png()).json()["id"]
    stores = Stores.from_settings(settings, engine=office.app.state.engine)
    findings = find(stores, Criteria.build(conversations=[mine]))
    assert findings.counts()["photos"] == 1
    [conversation] = export_data(findings)["conversations"]
    assert [p["id"] for p in conversation["photos"]] == [kept]
    counts = erase(stores, findings)
    assert counts["photos"] == 1
    assert [row.id for row in rows(office)] == [other]
    assert not (Path(settings.attachments_dir) / kept).exists()
    assert (Path(settings.attachments_dir) / other).exists()


def test_migration_0008_makes_the_models_table(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect

    from bot.backoffice.db import migrate

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrate(url)
    schema = inspect(create_engine(url))
    columns = {c["name"]: c for c in schema.get_columns("attachments")}
    model = Attachment.__table__
    assert set(columns) == {c.name for c in model.columns}
    assert all(columns[c.name]["nullable"] == c.nullable for c in model.columns)
    indexes = {tuple(i["column_names"]) for i in schema.get_indexes("attachments")}
    assert indexes == {tuple(c.name for c in i.columns) for i in model.indexes}
