"""Casework: who set a case's safety flags and when, each attempt at a callback, link indexes.

Cases that already have a safety flag take their provenance from the last outcome update,
so the flags they hold can be carried to the caller's newer cases. Outcome entries in the case
history are rewritten from "categories=a,b; referrals=-; community_trigger=True" into words;
a downgrade leaves them in words.

Revision ID: 0008_casework
Revises: 0007_call_legs
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import helpline.models.base

revision: str = "0008_casework"
down_revision: str | Sequence[str] | None = "0007_call_legs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the safety provenance columns, the callback_attempts table and the link indexes."""
    with op.batch_alter_table("case_details") as batch_op:
        safety_set_at = helpline.models.base.UTCDateTime(timezone=True)
        batch_op.add_column(sa.Column("safety_set_at", safety_set_at, nullable=True))
        batch_op.add_column(sa.Column("safety_set_by", sa.String(length=200), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_case_details_merged_into_id"), ["merged_into_id"], unique=False
        )
    with op.batch_alter_table("callback_requests") as batch_op:
        batch_op.create_index("ix_callback_requests_number", ["number"], unique=False)
    op.execute(
        "UPDATE case_details SET safety_set_at = updated_at, safety_set_by = updated_by "
        "WHERE safe_to_call_back IS NOT NULL OR safe_to_leave_message IS NOT NULL"
    )
    _outcome_history_in_words()
    op.create_table(
        "callback_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", helpline.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_callback_attempts_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_attempts")),
    )
    with op.batch_alter_table("callback_attempts") as batch_op:
        batch_op.create_index(batch_op.f("ix_callback_attempts_case_id"), ["case_id"], unique=False)


def _outcome_history_in_words() -> None:
    """Rewrite the coded outcome entries of the case history as the words the app now writes."""
    connection = op.get_bind()
    changes = sa.table(
        "case_changes",
        sa.column("id", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("detail", sa.Text),
    )
    coded = sa.select(changes.c.id, changes.c.detail).where(
        changes.c.kind == "outcome", changes.c.detail.like("categories=%")
    )
    for change_id, detail in connection.execute(coded).all():
        words = _in_words(detail)
        connection.execute(changes.update().where(changes.c.id == change_id).values(detail=words))


def _in_words(detail: str) -> str:
    """Return one coded outcome entry ("categories=a,b; referrals=-; ...") in words."""
    fields: dict[str, str] = {}
    for part in detail.split(";"):
        key, _, value = part.strip().partition("=")
        fields[key] = value
    listed = {
        key: ", ".join(item for item in fields.get(key, "").split(",") if item not in ("", "-"))
        for key in ("categories", "referrals")
    }
    trigger = "yes" if fields.get("community_trigger") == "True" else "no"
    return (
        f"Categories: {listed['categories'] or 'none'}. Referrals: {listed['referrals'] or 'none'}."
        f" Community Trigger support: {trigger}."
    )


def downgrade() -> None:
    """Drop the attempts table and the provenance columns."""
    with op.batch_alter_table("callback_attempts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_callback_attempts_case_id"))
    op.drop_table("callback_attempts")
    with op.batch_alter_table("callback_requests") as batch_op:
        batch_op.drop_index("ix_callback_requests_number")
    with op.batch_alter_table("case_details") as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_details_merged_into_id"))
        batch_op.drop_column("safety_set_by")
        batch_op.drop_column("safety_set_at")
