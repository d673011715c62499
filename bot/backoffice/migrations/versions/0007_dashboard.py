"""The dashboard's per-conversation facts (issue 15).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_facts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("session_start", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime, nullable=False),
        sa.Column("local_day", sa.Date, nullable=False),
        sa.Column("user_messages", sa.Integer, nullable=False),
        sa.Column("handoffs", sa.Integer, nullable=False),
        sa.Column("handoff_reason", sa.String(20), nullable=True),
        sa.Column("case_id", sa.Integer, nullable=True),
        sa.Column("case_status", sa.String(20), nullable=True),
        sa.Column("first_response_s", sa.Float, nullable=True),
        sa.Column("resolution_s", sa.Float, nullable=True),
        sa.Column("resolved_at", sa.DateTime, nullable=True),
        sa.Column("reopened", sa.Boolean, nullable=False),
        sa.Column("came_back", sa.Boolean, nullable=False),
        sa.Column("rating_questions", sa.Integer, nullable=False),
        sa.Column("ratings", sa.Integer, nullable=False),
        sa.Column("ratings_good", sa.Integer, nullable=False),
        sa.Column("abandoned", sa.Boolean, nullable=False),
        sa.Column("kb_answers", sa.Integer, nullable=False),
        sa.Column("kb_helpful", sa.Integer, nullable=False),
        sa.Column("kb_unhelpful", sa.Integer, nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
        sa.UniqueConstraint("conversation_id", "session_start"),
    )
    op.create_index(
        "ix_conversation_facts_conversation_id", "conversation_facts", ["conversation_id"]
    )
    op.create_index(
        "ix_conversation_facts_day_channel", "conversation_facts", ["local_day", "channel"]
    )
    op.create_table(
        "conversation_counts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("session_start", sa.Integer, nullable=False),
        sa.Column("local_day", sa.Date, nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("helpful", sa.Integer, nullable=False),
        sa.Column("unhelpful", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_conversation_counts_conversation_id", "conversation_counts", ["conversation_id"]
    )
    op.create_index("ix_conversation_counts_local_day", "conversation_counts", ["local_day"])
    op.create_table(
        "conversation_counts_daily",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("local_day", sa.Date, nullable=False),
        sa.Column("channel", sa.String(50), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("helpful", sa.Integer, nullable=False),
        sa.Column("unhelpful", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_conversation_counts_daily_kind_day", "conversation_counts_daily", ["kind", "local_day"]
    )
    op.create_table(
        "dashboard_cursor",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("last_event_id", sa.Integer, nullable=False),
        sa.Column("cases_seen_at", sa.DateTime, nullable=True),
        sa.Column("refreshed_at", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("dashboard_cursor")
    op.drop_table("conversation_counts_daily")
    op.drop_table("conversation_counts")
    op.drop_table("conversation_facts")
