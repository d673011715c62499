"""One logging configuration for every Comptoir process, the Rasa server included.

Each record is one line on stderr: time, level, logger, message, then the fields the code passed
in `extra=` as key=value (a shop call's status and latency, a conversation id), so that they can
be grepped and parsed instead of being dropped by a formatter that does not know them. Each
process calls `configure()` once at start-up (bot/backoffice, bot/demo_shop, bot/web,
bot/action_server, bot/rasa); Rasa's and rasa-sdk's own colored logging are replaced by it.
Lines carry ids (a conversation id, an order number, a case id), never what shoppers wrote
nor their e-mail, postcode, name or address: that is kept out at the source. As a safety net
for what a library prints by itself (an access log's query string), `MaskPersonalData` masks
e-mails and postcode parameters in every record before it is written.
Standard library only: loaded by both interpreters.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

# Attributes every LogRecord has, and those formatters or servers add for themselves: whatever
# else a record carries came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's colored copy of the message
}
# Libraries that say too much at INFO for a shop's log.
QUIET = ("httpx", "httpcore", "urllib3", "matplotlib", "multipart", "asyncio", "filelock")
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def _value(value: Any) -> str:
    text = str(value)
    return f'"{text}"' if not text or any(c.isspace() or c == '"' for c in text) else text


class KeyValueFormatter(logging.Formatter):
    """The message, then the record's extra fields as key=value, sorted by key."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        }
        if not extras:
            return line
        fields = " ".join(f"{key}={_value(value)}" for key, value in sorted(extras.items()))
        head, newline, rest = line.partition("\n")  # a traceback stays after the fields
        return f"{head} {fields}{newline}{rest}"


# An e-mail, raw or URL-quoted; a postcode given as a parameter (`postcode=69100`,
# `"postcode": "69100"`): a bare 5-digit number is as likely a port or a process id.
_EMAIL = re.compile(r"[\w.+%-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_POSTCODE = re.compile(
    r"""((?:postcode|code_postal|zip)["']?\s*(?:=|:|%3D)\s*["']?)\d{5}(?!\d)""", re.IGNORECASE
)
MASKED = "<masqué>"


def mask_personal_data(text: str) -> str:
    return _POSTCODE.sub(lambda m: m.group(1) + MASKED, _EMAIL.sub(MASKED, text))


class MaskPersonalData(logging.Filter):
    """The safety net: a record's message, string fields and exception text with e-mails and
    postcode parameters masked. Never refuses a record, never raises."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
            masked = mask_personal_data(message)
            if masked != message:
                record.msg, record.args = masked, None
            for key, value in list(vars(record).items()):
                if key not in _STANDARD and isinstance(value, str):
                    setattr(record, key, mask_personal_data(value))
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = mask_personal_data(record.exc_text)
        except Exception:  # a safety net must not break logging
            pass
        return True


def level_of(level: str | int | None, default: int = logging.INFO) -> int:
    """A level from a name ("info", "WARNING") or a number; unknown names are an error."""
    if level is None or level == "":
        return default
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r}: use debug, info, warning or error")
    return value


def configure(level: str | int | None = "INFO") -> None:
    """Replace whatever handlers the root logger has with one key=value line handler."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter(FORMAT))
    handler.addFilter(MaskPersonalData())
    root.addHandler(handler)
    numeric = level_of(level)
    root.setLevel(numeric)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    # Servers that configure their own loggers would print twice through ours: let them
    # propagate to the root handler only.
    for name in (
        "uvicorn",
        "uvicorn.error",
        "uvicorn.access",
        "sanic.root",
        "sanic.access",
        "sanic.error",
        "rasa_sdk",
    ):
        logger = logging.getLogger(name)
        for own in list(logger.handlers):
            logger.removeHandler(own)
        logger.propagate = True
