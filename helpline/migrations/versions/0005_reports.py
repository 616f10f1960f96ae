"""reports: daily rollups of the call log, and indexes to find previous calls

Revision ID: 0005_reports
Revises: 0001_foundation
Create Date: 2026-11-24 14:42:41
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpline.models.base

revision: str = "0005_reports"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the rollup tables and the covering indexes."""
    op.create_table(
        "report_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("refreshed_at", helpline.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_days")),
    )
    op.create_table(
        "report_hours",
        sa.Column("hour_start", helpline.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("in_hours", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.Column("abandoned", sa.Integer(), nullable=False),
        sa.Column("voicemail", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour_start", name=op.f("pk_report_hours")),
    )
    op.create_index("ix_report_hours_day", "report_hours", ["day"])
    op.create_table(
        "report_values",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "measure", "value", name=op.f("pk_report_values")),
    )
    # Rolling up a day looks up each caller's and case's previous call (reports/firsts.py).
    op.create_index("ix_calls_from_number_started_at", "calls", ["from_number", "started_at"])
    op.create_index("ix_calls_case_id_started_at", "calls", ["case_id", "started_at"])


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_calls_case_id_started_at", table_name="calls")
    op.drop_index("ix_calls_from_number_started_at", table_name="calls")
    op.drop_table("report_values")
    op.drop_index("ix_report_hours_day", table_name="report_hours")
    op.drop_table("report_hours")
    op.drop_table("report_days")
