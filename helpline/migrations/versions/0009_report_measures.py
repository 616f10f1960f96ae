"""report measures: forget rollups worked out before outcomes, waits and repeats were kept

Days rolled up earlier lack the new measures, so their rows are removed: those days are
counted live from the calls table (always right, only slower) until `helpline reports rollup
--since ... --until ...` works them out again. A covering index finds the cases with an
answered call in a period (the commissioner's victims supported) from the index alone.

Revision ID: 0009_report_measures
Revises: 0008_casework
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_report_measures"
down_revision: str | Sequence[str] | None = "0008_casework"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COVERING = ["started_at", "case_id", "dial_status", "talk_seconds"]


def upgrade() -> None:
    """Remove every rollup row so no day mixes old and new measures; add the covering index."""
    for table in ("report_values", "report_hours", "report_days"):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
    op.create_index("ix_calls_started_at_answered", "calls", COVERING)


def downgrade() -> None:
    """Drop the index; remove the rollups again: older code would misread the new rows."""
    op.drop_index("ix_calls_started_at_answered", table_name="calls")
    for table in ("report_values", "report_hours", "report_days"):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
