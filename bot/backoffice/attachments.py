"""Photos shoppers attach in the widget: checked, stored out of every web root, signed links.

A photo is trusted for nothing: its type is read from its first bytes (JPEG, PNG or WebP only,
whatever its name or the browser's Content-Type say), its size is bounded, a conversation may
send only a few, and the file is stored under a random name in COMPTOIR_ATTACHMENTS_DIR, which
no route serves as a folder. JPEG and PNG lose their metadata blocks on the way in (EXIF holds
the phone's GPS position and the camera's serial number; Pillow is not a dependency, so this
walks the file's segments, which needs no decoding). Agents see a photo through an
authenticated route; the shop gets a signed link that expires (`shop_link`), so that a claim
carries a reference rather than megabytes through the 1.5 s budget of a shop call.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.settings import Settings

from .db import Attachment

log = logging.getLogger(__name__)

JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp"}
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that carry text or EXIF rather than pixels: dropped.
_PNG_METADATA = {b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"}


class Refused(Exception):
    """A photo that is not kept; `message` is French, for the widget to show as it is."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g}".replace(".", ",") + " Mo"


TYPE_REFUSED = "Ce fichier n'est pas une photo : envoyez une image JPEG, PNG ou WebP."
EMPTY_REFUSED = "Le fichier est vide : choisissez une autre photo."
SIGNATURE_REFUSED = (
    "Votre conversation n'a pas pu être reconnue : rechargez la page, puis réessayez."
)


def too_big(limit: int) -> str:
    return f"Cette photo est trop lourde : {_mb(limit)} au plus. Essayez une photo plus légère."


def too_many(limit: int) -> str:
    return (
        f"Vous avez déjà envoyé {limit} photos dans cette conversation : c'est le maximum. "
        "Un conseiller pourra vous en demander d'autres si besoin."
    )


def sniff(data: bytes) -> str | None:
    """The image type the bytes really are (JPEG, PNG, WebP), or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


def _jpeg_without_metadata(data: bytes) -> bytes:
    """The JPEG without its APP1 (EXIF, XMP) and COM segments; unchanged if unreadable."""
    out, at = bytearray(b"\xff\xd8"), 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return data
        marker = data[at + 1]
        if marker == 0xDA:  # start of scan: the image data follows, kept whole
            out += data[at:]
            return bytes(out)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out += data[at : at + 2]
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2 or at + 2 + length > len(data):
            return data
        if marker not in (0xE1, 0xFE):
            out += data[at : at + 2 + length]
        at += 2 + length
    return data


def _png_without_metadata(data: bytes) -> bytes:
    """The PNG without its text, time and EXIF chunks; unchanged if unreadable."""
    out, at = bytearray(_PNG_SIGNATURE), len(_PNG_SIGNATURE)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(data):
            return data
        if kind not in _PNG_METADATA:
            out += data[at:end]
        at = end
        if kind == b"IEND":
            return bytes(out)
    return data


def without_metadata(data: bytes, content_type: str) -> bytes:
    if content_type == JPEG:
        return _jpeg_without_metadata(data)
    if content_type == PNG:
        return _png_without_metadata(data)
    return data  # WebP: kept as sent (its EXIF chunk is rare; see the README)


@dataclass(frozen=True)
class Stored:
    id: str
    content_type: str
    size: int


def folder(settings: Settings) -> Path:
    return Path(settings.attachments_dir)


def path_of(settings: Settings, attachment_id: str) -> Path:
    """The file of an attachment: its id is random and checked, so it never leaves the folder."""
    if not ID_PATTERN.match(attachment_id):
        raise ValueError("not an attachment id")
    return folder(settings) / attachment_id


def store(
    db: Session, settings: Settings, conversation_id: str, data: bytes, now: datetime
) -> Stored:
    """Check and keep one photo of this conversation, or raise `Refused` (413, 415, 422, 429)."""
    if not data:
        raise Refused(422, EMPTY_REFUSED)
    if len(data) > settings.attachment_max_bytes:
        raise Refused(413, too_big(settings.attachment_max_bytes))
    content_type = sniff(data)
    if content_type is None:
        raise Refused(415, TYPE_REFUSED)
    count = db.scalar(
        select(func.count())
        .select_from(Attachment)
        .where(Attachment.conversation_id == conversation_id)
    )
    if (count or 0) >= settings.attachments_per_conversation:
        raise Refused(429, too_many(settings.attachments_per_conversation))
    data = without_metadata(data, content_type)
    attachment_id = secrets.token_urlsafe(24)
    target = path_of(settings, attachment_id)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # 0600 whatever the process's umask: the photo is personal data.
    handle = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    db.add(
        Attachment(
            id=attachment_id,
            conversation_id=conversation_id,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=now,
        )
    )
    db.commit()
    log.info(
        "attachment stored conversation=%s id=%s type=%s bytes=%d",
        conversation_id,
        attachment_id,
        content_type,
        len(data),
    )
    return Stored(attachment_id, content_type, len(data))


def of_conversation(db: Session, conversation_id: str) -> list[Attachment]:
    return list(
        db.scalars(
            select(Attachment)
            .where(Attachment.conversation_id == conversation_id)
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def read(settings: Settings, attachment: Attachment) -> bytes | None:
    try:
        return path_of(settings, attachment.id).read_bytes()
    except (OSError, ValueError):
        log.warning("attachment file missing id=%s", attachment.id)
        return None


def remove_files(settings: Settings, ids: list[str]) -> int:
    """Delete these attachments' files; how many existed."""
    removed = 0
    for attachment_id in ids:
        try:
            path_of(settings, attachment_id).unlink()
            removed += 1
        except (FileNotFoundError, ValueError):
            continue
    return removed


def erase_one(db: Session, settings: Settings, attachment_id: str) -> None:
    """Forget a photo that could not be delivered (the shopper sends it again)."""
    db.execute(delete(Attachment).where(Attachment.id == attachment_id))
    db.commit()
    remove_files(settings, [attachment_id])


def erase(db: Session, settings: Settings, conversation_ids: list[str]) -> int:
    """Delete the photos of these conversations, rows and files; how many rows."""
    if not conversation_ids:
        return 0
    ids = list(
        db.scalars(select(Attachment.id).where(Attachment.conversation_id.in_(conversation_ids)))
    )
    if ids:
        db.execute(delete(Attachment).where(Attachment.id.in_(ids)))
        db.commit()
        remove_files(settings, ids)
    return len(ids)


def upload_origins(settings: Settings) -> list[str]:
    """The pages allowed to upload (CORS): COMPTOIR_WIDGET_ORIGINS, else the demo page."""
    if settings.widget_origins:
        return [origin.rstrip("/") for origin in settings.widget_origins]
    return [f"http://{host}:{settings.web_port}" for host in ("127.0.0.1", "localhost")]
