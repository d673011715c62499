"""What the platform adapters share to publish a shop's catalogue (issue 18).

Each platform pages its products its own way (WordPress page numbers, GraphQL cursors,
PrestaShop offsets); the `ShopClient` contract hides that behind one opaque cursor, which the
adapters write and read here. Platforms also name variant options freely ("Taille",
"Pointure", "Couleur", "Contenance"…): `variant_fields` maps the usual French and English
names to the model's fields, and ignores the others.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from bot.clients.shop.contract import InvalidRequest

# A platform that says "in stock" without a count (stock not managed): enough not to claim
# "plus que 2 en stock" (actions/product_texts.py FEW_LEFT), no promise of a real quantity.
UNCOUNTED_STOCK = 10
# `as_of` is the platform's clock when the feed began minus this: a product saved at that very
# moment is read again by the next sync rather than missed (reading twice is harmless).
FEED_OVERLAP = timedelta(seconds=2)
BAD_CURSOR = "Ce curseur de catalogue n'est pas valide : reprenez la lecture depuis le début."

_SIZE = {"taille", "size", "pointure", "dimensions", "dimension", "format", "longueur"}
_COLOUR = {"couleur", "color", "colour", "coloris", "teinte", "nuance"}
_VOLUME = {"contenance", "volume", "flacon"}
_CAPACITY = {"capacite", "capacity", "stockage", "memoire", "puissance"}
_ML = re.compile(r"(\d+(?:[.,]\d+)?)\s*(ml|cl|l)\b", re.IGNORECASE)
_BLOCK = re.compile(r"<\s*/?\s*(?:p|br|div|li|ul|ol|h[1-6]|tr|td|table)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _folded(name: str) -> str:
    return (
        name.strip()
        .lower()
        .replace("é", "e")
        .replace("è", "e")
        .replace("ê", "e")
        .replace("î", "i")
        .removeprefix("pa_")  # WooCommerce's global attributes: pa_taille, pa_couleur
    )


def millilitres(value: str) -> int | None:
    """'50 ml' -> 50, '10 cl' -> 100, '1,5 L' -> 1500; None when it is no volume."""
    found = _ML.search(value or "")
    if not found:
        return None
    number = float(found.group(1).replace(",", "."))
    unit = found.group(2).lower()
    return round(number * {"ml": 1, "cl": 10, "l": 1000}[unit])


def variant_fields(options: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The ProductVariant fields that a variant's (option name, value) pairs give."""
    fields: dict[str, Any] = {}
    for name, value in options:
        value = (value or "").strip()
        key = _folded(name or "")
        if not value:
            continue
        if key in _SIZE:
            fields["size"] = value
        elif key in _COLOUR:
            fields["colour"] = value.lower()
        elif key in _VOLUME:
            ml = millilitres(value)
            if ml is not None:
                fields["volume_ml"] = ml
            else:
                fields["capacity"] = value
        elif key in _CAPACITY:
            fields["capacity"] = value
    return fields


def plain_text(markup: str | None, limit: int = 1000) -> str:
    """A product description without its HTML, on one line, at most `limit` characters."""
    text = html.unescape(_TAG.sub("", _BLOCK.sub(" ", markup or "")))  # <b>x</b>, : no gap
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def encode_cursor(state: Mapping[str, Any]) -> str:
    """The contract's opaque cursor: the adapter's own paging state, as URL-safe text."""
    raw = json.dumps(dict(state), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error):
        raise InvalidRequest(BAD_CURSOR, "invalid_cursor") from None
    if not isinstance(state, dict):
        raise InvalidRequest(BAD_CURSOR, "invalid_cursor")
    return state


def server_time(headers: Mapping[str, str]) -> datetime:
    """The platform's clock from its HTTP Date header (UTC), else ours."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        when = parsedate_to_datetime(lowered.get("date", ""))
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        return datetime.now(UTC)


def utc_iso(moment: datetime) -> str:
    """'2026-12-01T23:04:19' in UTC, to the second: what the platforms' date filters take."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def parse_utc(value: Any) -> datetime | None:
    """A platform's date as aware UTC; a date without offset is taken as UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
