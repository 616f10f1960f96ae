"""report measures: forget rollups worked out before outcomes, waits and repeats were kept

Days rolled up earlier lack the new measures, so their rows are removed: those days are
counted live from the calls table (always right, only slower) until `helpline reports rollup
--since ... --until ...` works them out again.

Revision ID: 0009_report_measures
Revises: 0006_merge
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_report_measures"
down_revision: str | Sequence[str] | None = "0006_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Remove every rollup row so no day mixes old and new measures."""
    for table in ("report_values", "report_hours", "report_days"):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def downgrade() -> None:
    """Remove the rollups again: the older code would misread the new measures' rows."""
    for table in ("report_values", "report_hours", "report_days"):
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
