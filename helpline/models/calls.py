"""Cases, calls, the immutable call-event log, closures, voicemails and callbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from helpline.models.base import Base, utcnow


class Case(Base):
    """A victim's record: every contact from one caller (or one withheld call) hangs off it."""

    __tablename__ = "cases"
    __table_args__ = (
        # At most one open case per number: concurrent first calls converge on one case.
        Index(
            "uq_cases_open_caller_number",
            "caller_number",
            unique=True,
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_cases_caller_number", "caller_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    caller_number: Mapped[str | None] = mapped_column(String(20))
    withheld: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    # Retention skips a case on legal hold; anonymised_at marks personal data removed.
    legal_hold: Mapped[bool] = mapped_column(default=False, server_default=false())
    anonymised_at: Mapped[datetime | None]

    calls: Mapped[list[Call]] = relationship(back_populates="case", order_by="Call.started_at")
    voicemails: Mapped[list[Voicemail]] = relationship(back_populates="case")
    callback_requests: Mapped[list[CallbackRequest]] = relationship(back_populates="case")


class CaseReferenceCounter(Base):
    """The last case number issued in each year, for HAR-YYYY-NNNNN references."""

    __tablename__ = "case_reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Call(Base):
    """One inbound call and its current state, folded from its events."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    from_number: Mapped[str | None] = mapped_column(String(20))
    withheld: Mapped[bool] = mapped_column(default=False)
    to_number: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    route_open: Mapped[bool | None]
    route_line: Mapped[str | None] = mapped_column(String(20))
    route_reason: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str | None] = mapped_column(String(20))
    last_sequence: Mapped[int | None]
    last_event_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    duration_seconds: Mapped[int | None]
    dial_line: Mapped[str | None] = mapped_column(String(20))
    dial_status: Mapped[str | None] = mapped_column(String(20))
    talk_seconds: Mapped[int | None]
    ivr_path: Mapped[list[Any]] = mapped_column(JSON, default=list)
    anonymised_at: Mapped[datetime | None]
    # What our latest reply left the caller waiting on: "menu", "line:<line>" or "message".
    waiting_on: Mapped[str | None] = mapped_column(String(40))
    # The dialled line's own call (child leg): when it rang, was answered, and by whom
    # ("person", "machine_or_declined" or "no_answer"; see helpline/calls/legs.py).
    leg_sid: Mapped[str | None] = mapped_column(String(64))
    leg_line: Mapped[str | None] = mapped_column(String(20))
    leg_status: Mapped[str | None] = mapped_column(String(20))
    leg_ringing_at: Mapped[datetime | None]
    leg_answered_at: Mapped[datetime | None]
    screening: Mapped[str | None] = mapped_column(String(20))
    answered_by: Mapped[str | None] = mapped_column(String(20))

    case: Mapped[Case | None] = relationship(back_populates="calls")
    events: Mapped[list[CallEvent]] = relationship(back_populates="call", order_by="CallEvent.id")
    voicemails: Mapped[list[Voicemail]] = relationship(back_populates="call")


class CallEvent(Base):
    """One webhook or callback as received: appended once, never changed."""

    __tablename__ = "call_events"
    __table_args__ = (
        UniqueConstraint("call_id", "dedupe_key", name="uq_call_events_call_id_dedupe_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    call_status: Mapped[str | None] = mapped_column(String(20))
    sequence_number: Mapped[int | None]
    event_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    call: Mapped[Call] = relationship(back_populates="events")


class Closure(Base):
    """A supervisor's override of the opening hours, with its reason and who set it."""

    __tablename__ = "closures"
    __table_args__ = (Index("ix_closures_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="closed")
    # The configured line's key; None (closures set before lines had their own) is the main line.
    line: Mapped[str | None] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Voicemail(Base):
    """A message a caller left, linked to the call and its case."""

    __tablename__ = "voicemails"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str | None] = mapped_column(Text)
    duration_seconds: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recording_deleted_at: Mapped[datetime | None]

    call: Mapped[Call] = relationship(back_populates="voicemails")
    case: Mapped[Case] = relationship(back_populates="voicemails")


class CallbackRequest(Base):
    """A callback owed to a caller, with the consent they gave."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        Index("ix_callback_requests_status_requested_at", "status", "requested_at"),
        # A number keyed in for a callback links the caller's cases (cases/history.py).
        Index("ix_callback_requests_number", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    number: Mapped[str | None] = mapped_column(String(20))
    safe_to_call: Mapped[bool] = mapped_column(default=False)
    may_leave_message: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(20), default="ivr")
    status: Mapped[str] = mapped_column(String(20), default="pending")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(Text)
    # Set by the overdue-callbacks job when no one has called back within one working day.
    overdue_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]

    case: Mapped[Case] = relationship(back_populates="callback_requests")
