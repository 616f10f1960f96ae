"""Join the flows-era branches (webapp, ops, reports) into one head.

ix_calls_from_number (0003) is dropped: ix_calls_from_number_started_at (0005) starts with the
same column and serves the same number searches.

Revision ID: 0006_merge
Revises: 0003_webapp, 0004_ops, 0005_reports
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006_merge"
down_revision: str | Sequence[str] | None = ("0003_webapp", "0004_ops", "0005_reports")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the index the composite one makes redundant."""
    with op.batch_alter_table("calls") as batch_op:
        batch_op.drop_index("ix_calls_from_number")


def downgrade() -> None:
    """Restore the single-column index."""
    with op.batch_alter_table("calls") as batch_op:
        batch_op.create_index("ix_calls_from_number", ["from_number"], unique=False)
