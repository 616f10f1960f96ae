"""ops: legal hold, anonymised markers, overdue callbacks, job runs

Revision ID: 0004_ops
Revises: 0001_foundation
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpline.models.base

revision: str = "0004_ops"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job", sa.String(length=50), nullable=False),
        sa.Column("slot", helpline.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("started_at", helpline.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", helpline.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index("ix_job_runs_job_started_at", ["job", "started_at"], unique=False)
        batch_op.create_index("uq_job_runs_job_slot", ["job", "slot"], unique=True)

    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("overdue_at", helpline.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "anonymised_at", helpline.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "anonymised_at", helpline.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "anonymised_at", helpline.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )

    with op.batch_alter_table("voicemails", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "recording_deleted_at",
                helpline.models.base.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("voicemails", schema=None) as batch_op:
        batch_op.drop_column("recording_deleted_at")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("legal_hold")

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")

    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("overdue_at")

    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index("uq_job_runs_job_slot")
        batch_op.drop_index("ix_job_runs_job_started_at")

    op.drop_table("job_runs")
