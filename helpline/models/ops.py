"""The log of scheduled job runs: what ran, when, for which slot, and what it did."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.models.base import Base, utcnow


class JobRun(Base):
    """One run of a scheduled job; a scheduled slot runs at most once across clock processes."""

    __tablename__ = "job_runs"
    __table_args__ = (
        # Two clock processes firing the same slot: the second insert loses and skips the run.
        Index("uq_job_runs_job_slot", "job", "slot", unique=True),
        Index("ix_job_runs_job_started_at", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    slot: Mapped[datetime | None]
    dry_run: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
