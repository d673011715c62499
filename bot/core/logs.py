"""One logging configuration for every Comptoir process, the Rasa server included.

Each record is one line on stderr: time, level, logger, message, then the fields the code passed
in `extra=` as key=value (a shop call's status and latency, a conversation id), so that they can
be grepped and parsed instead of being dropped by a formatter that does not know them. Each
process calls `configure()` once at start-up (bot/backoffice, bot/demo_shop, bot/web,
bot/action_server, bot/rasa); Rasa's and rasa-sdk's own colored logging are replaced by it.
Standard library only: loaded by both interpreters.
"""

from __future__ import annotations

import logging
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
