"""SQLAlchemy models; import from here so every table is registered on Base.metadata."""

from helpline.models.accounts import ROLES, ApiToken, AuditEntry, User
from helpline.models.base import Base, UTCDateTime, utcnow
from helpline.models.calls import (
    Call,
    CallbackRequest,
    CallEvent,
    Case,
    CaseReferenceCounter,
    Closure,
    Voicemail,
)
from helpline.models.casework import (
    CATEGORIES,
    REFERRALS,
    CallbackAttempt,
    CaseChange,
    CaseDetail,
    CaseNote,
)
from helpline.models.ops import JobRun
from helpline.models.reports import ReportDay, ReportHour, ReportValue

__all__ = [
    "CATEGORIES",
    "REFERRALS",
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Call",
    "CallEvent",
    "CallbackAttempt",
    "CallbackRequest",
    "Case",
    "CaseChange",
    "CaseDetail",
    "CaseNote",
    "CaseReferenceCounter",
    "Closure",
    "JobRun",
    "ReportDay",
    "ReportHour",
    "ReportValue",
    "UTCDateTime",
    "User",
    "Voicemail",
    "utcnow",
]
