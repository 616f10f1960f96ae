"""Daily and hourly rollups of the call log, so reports over a year stay fast at scale."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from helpline.models.base import Base
from helpline.models.calls import Call


class ReportDay(Base):
    """A local day whose rollups are complete, and when they were last worked out."""

    __tablename__ = "report_days"

    day: Mapped[date] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime]


class ReportHour(Base):
    """The counts of the calls that started in one UTC hour (see reports/definitions.py)."""

    __tablename__ = "report_hours"

    hour_start: Mapped[datetime] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)  # the local day the hour falls in
    calls: Mapped[int]
    in_hours: Mapped[int]
    answered: Mapped[int]
    missed: Mapped[int]
    abandoned: Mapped[int]
    voicemail: Mapped[int]


class ReportValue(Base):
    """How many of a local day's calls had each value of a measure (reason, ring, talk)."""

    __tablename__ = "report_values"

    day: Mapped[date] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    calls: Mapped[int]


# Indexes on the calls table to find each caller's and case's previous call (0005_reports).
Index("ix_calls_from_number_started_at", Call.from_number, Call.started_at)
Index("ix_calls_case_id_started_at", Call.case_id, Call.started_at)
# Covers "which cases had an answered call in a period" (the commissioner's victims supported)
# without reading the call rows (0009_report_measures).
Index(
    "ix_calls_started_at_answered",
    Call.started_at,
    Call.case_id,
    Call.dial_status,
    Call.talk_seconds,
)
