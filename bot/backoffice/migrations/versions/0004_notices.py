"""Delay notices: the orders shoppers follow, their "stop", and the queue of notices.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_watches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("order_number", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("conversation_id", "order_number"),
    )
    op.create_index("ix_notice_watches_conversation_id", "notice_watches", ["conversation_id"])
    op.create_index("ix_notice_watches_order_number", "notice_watches", ["order_number"])
    op.create_index("ix_notice_watches_expires_at", "notice_watches", ["expires_at"])
    op.create_table(
        "notice_stops",
        sa.Column("conversation_id", sa.String(255), primary_key=True),
        sa.Column("stopped_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_notice_stops_stopped_at", "notice_stops", ["stopped_at"])
    op.create_table(
        "notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("order_number", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("expected_delivery", sa.Date, nullable=True),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(30), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_try_at", sa.DateTime, nullable=True),
        sa.Column("claimed_until", sa.DateTime, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("conversation_id", "order_number", "event_id"),
    )
    op.create_index("ix_notices_conversation_id", "notices", ["conversation_id"])
    op.create_index("ix_notices_status_next_try_at", "notices", ["status", "next_try_at"])


def downgrade() -> None:
    op.drop_table("notices")
    op.drop_table("notice_stops")
    op.drop_table("notice_watches")
