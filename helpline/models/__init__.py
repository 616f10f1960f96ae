"""SQLAlchemy models; import from here so every table is registered on Base.metadata."""

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
from helpline.models.ops import JobRun

__all__ = [
    "Base",
    "Call",
    "CallEvent",
    "CallbackRequest",
    "Case",
    "CaseReferenceCounter",
    "Closure",
    "JobRun",
    "UTCDateTime",
    "Voicemail",
    "utcnow",
]
