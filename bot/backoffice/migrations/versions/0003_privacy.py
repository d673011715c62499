"""Shoppers' data: the audit log of exports, erasures and purges, and the purge's last run.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "privacy_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("origin", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("criteria", sa.String(100), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
    )
    op.create_index("ix_privacy_audit_at", "privacy_audit", ["at"])
    op.create_table(
        "privacy_schedule",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("last_run_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("privacy_schedule")
    op.drop_table("privacy_audit")
