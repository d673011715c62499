"""Shoppers' personal data (GDPR): find, export and erase one shopper's data, purge what is past
its retention, and the audit log of those actions.

    python -m bot.privacy find|export|erase|purge …        (bot/privacy/cli.py)
    the back office's « Données personnelles » page          (bot/backoffice/routes/privacy.py)
    the back office's scheduled purge                        (bot/privacy/schedule.py)

Runs in the 3.11 processes (the command line, the back office). It reads and changes Rasa's
tracker store directly (SQLite or PostgreSQL, `events` table), the back office's database and
the FAQ feedback file; erased conversation ids are recorded for the widget in
bot/core/forgotten.py, which the Rasa server can read.
"""

from __future__ import annotations

from .criteria import BadCriteria, Criteria
from .service import Findings, Retention, Stores, audit, erase, export_data, find, purge

__all__ = [
    "BadCriteria",
    "Criteria",
    "Findings",
    "Retention",
    "Stores",
    "audit",
    "erase",
    "export_data",
    "find",
    "purge",
]
