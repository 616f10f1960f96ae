"""The handlers' working record of a case: outcome, flags, assignment, notes, history, attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from helpline.models.base import Base, utcnow

CATEGORIES = ("noise", "harassment", "intimidation", "neighbour dispute", "vandalism", "other")
REFERRALS = ("mediation", "police", "council", "housing", "victim support", "other")


class CaseDetail(Base):
    """What the team has recorded about a case beyond its calls (one row per case, lazily)."""

    __tablename__ = "case_details"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    referrals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    community_trigger: Mapped[bool] = mapped_column(default=False)
    # None means nobody has asked the caller yet: shown as "not known", never assumed safe.
    safe_to_call_back: Mapped[bool | None]
    safe_to_leave_message: Mapped[bool | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    updated_at: Mapped[datetime | None]
    updated_by: Mapped[str | None] = mapped_column(String(200))
    # When and by whom the two safety flags were last decided on this case: the newest such
    # decision among a caller's cases is the one every case of theirs shows.
    safety_set_at: Mapped[datetime | None]
    safety_set_by: Mapped[str | None] = mapped_column(String(200))


class CaseNote(Base):
    """A handler's note on a case; notes are added, never edited."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseAct:
    """The columns of something someone did to a case at a moment."""

    # sort_order=-1 keeps these first, where the migrations put them: the metadata and the
    # tables stay the same column for column.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True, sort_order=-1)
    at: Mapped[datetime] = mapped_column(default=utcnow, sort_order=-1)
    actor: Mapped[str] = mapped_column(String(200), sort_order=-1)


class CaseChange(CaseAct, Base):
    """One change to a case's shape: a call moved, cases merged, opened, closed, assigned."""

    __tablename__ = "case_changes"

    kind: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")


class CallbackAttempt(CaseAct, Base):
    """One try at calling a case back: when, who, and how it went (done, no answer, failed)."""

    __tablename__ = "callback_attempts"

    result: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
