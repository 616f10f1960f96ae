"""call legs: the dialled line's own call, its screening, and where the caller is waiting

Revision ID: 0007_call_legs
Revises: 0006_merge
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpline.models.base

revision: str = "0007_call_legs"
down_revision: str | Sequence[str] | None = "0006_merge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = {
    "waiting_on": 40,
    "leg_sid": 64,
    "leg_line": 20,
    "leg_status": 20,
    "screening": 20,
    "answered_by": 20,
}
TIME_COLUMNS = ("leg_ringing_at", "leg_answered_at")


def upgrade() -> None:
    """Add the child-leg columns to calls (all nullable: old calls have no leg recorded)."""
    with op.batch_alter_table("calls") as batch_op:
        for name, length in TEXT_COLUMNS.items():
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        for name in TIME_COLUMNS:
            column_type = helpline.models.base.UTCDateTime(timezone=True)
            batch_op.add_column(sa.Column(name, column_type, nullable=True))


def downgrade() -> None:
    """Drop the child-leg columns."""
    with op.batch_alter_table("calls") as batch_op:
        for name in (*TEXT_COLUMNS, *TIME_COLUMNS):
            batch_op.drop_column(name)
