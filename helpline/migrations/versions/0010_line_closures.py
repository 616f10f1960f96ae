"""lines from config: a closure names its line; rollups forget outcomes named after old lines

Each closure now says which line it closes or opens. Closures set before have no line, and
keep meaning the main line (the first line in the config). Rolled-up outcome tallies named
the answering line in the outcome itself ("answered_harmony", "answered_support"); they are
now "answered" beside the answering line, so the old rows are removed: those days are counted
live from the calls table until `helpline reports rollup --since ... --until ...` works them
out again.

Revision ID: 0010_line_closures
Revises: 0009_report_measures
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_line_closures"
down_revision: str | Sequence[str] | None = "0009_report_measures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = ("report_values", "report_hours", "report_days")


def upgrade() -> None:
    """Add closures.line; remove the rollups kept under the old outcome names."""
    with op.batch_alter_table("closures") as batch_op:
        batch_op.add_column(sa.Column("line", sa.String(length=40), nullable=True))
    for table in ROLLUPS:
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names


def downgrade() -> None:
    """Drop closures.line (every closure reverts to the main line); remove the rollups again."""
    with op.batch_alter_table("closures") as batch_op:
        batch_op.drop_column("line")
    for table in ROLLUPS:
        op.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
