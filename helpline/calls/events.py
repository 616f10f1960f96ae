"""Twilio call events and the state of a call they fold into (see folding.py). Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from helpline.dial_status import DialStatus

EventKind = Literal[
    "incoming", "status", "dial", "fallback", "gather", "recording", "callback", "leg", "screening"
]
# Events from the IVR flows: they add to the path, a voicemail or a callback, not the call state.
FLOW_KINDS = frozenset({"gather", "recording", "callback"})
# Events about the dialled line's own call (the child leg), folded into its parent call.
LEG_KINDS = frozenset({"leg", "screening"})
# Our own parameter on a screening event: what the answering party did at the prompt.
SCREENING_PARAM = "ScreeningOutcome"

# A call's own CallStatus ends with the words a <Dial> ends with, bar "answered".
TERMINAL_STATUSES = frozenset(DialStatus) - {DialStatus.ANSWERED}
STATUS_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3} | {
    status: 4 for status in TERMINAL_STATUSES
}

# Caller-identifying fields are kept on the call row only, not copied into the event log.
PERSONAL_FIELDS = frozenset(
    {
        "From",
        "Caller",
        "CallerName",
        "FromCity",
        "FromState",
        "FromZip",
        "FromCountry",
        "CallerCity",
        "CallerState",
        "CallerZip",
        "CallerCountry",
        "ForwardedFrom",
        "Digits",
        "SpeechResult",
        "CallbackNumber",
    }
)


@dataclass(frozen=True)
class ContactEvent:
    """One webhook or callback from Twilio about a call, as received."""

    kind: EventKind
    call_sid: str
    received_at: datetime
    params: Mapping[str, str]
    route: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sequence(self) -> int | None:
        """Return Twilio's SequenceNumber, if it sent a valid one."""
        value = self.params.get("SequenceNumber", "")
        return int(value) if value.isdigit() else None

    @property
    def event_at(self) -> datetime | None:
        """Return Twilio's Timestamp (RFC 2822) as aware UTC, if present and valid."""
        return parse_timestamp(self.params.get("Timestamp", ""))

    @property
    def dedupe_key(self) -> str:
        """Return a key equal for a retry of the same event, distinct otherwise."""
        status = self.params.get("CallStatus", "")
        if self.kind == "status":
            position = self.params.get("SequenceNumber") or self.params.get("Timestamp", "")
            return f"status:{position}:{status}"[:200]
        if self.kind == "dial":
            dial = self.params.get("DialCallStatus", "")
            return f"dial:{self.route.get('line', '')}:{dial}:{self.params.get('DialCallSid', '')}"
        if self.kind in FLOW_KINDS:
            return self._flow_key()
        if self.kind in LEG_KINDS:
            return self._leg_key()
        return self.kind

    def _leg_key(self) -> str:
        """Return the dedupe key of a child-leg event: one per leg, progress event or hook."""
        leg = self.params.get("CallSid", "")
        if self.kind == "screening":
            return f"screening:{leg}:{self.route.get('hook', '')}"[:200]
        position = self.params.get("SequenceNumber") or self.params.get("Timestamp", "")
        return f"leg:{leg}:{position}:{self.params.get('CallStatus', '')}"[:200]

    def _flow_key(self) -> str:
        """Return the dedupe key of a flow event: one per step, attempt and recording."""
        step = f"{self.route.get('flow', '')}:{self.route.get('state', '')}"
        if self.kind == "recording":
            sid = self.params.get("RecordingSid", "")
            status = self.params.get("RecordingStatus", "") or str(self.route.get("hook", ""))
            return f"recording:{step}:{sid}:{status}"[:200]
        if self.kind == "gather":
            position = ":".join(str(self.route.get(key, "")) for key in ("v", "stage", "attempt"))
            return f"gather:{step}:{self.route.get('hook', '')}:{position}"[:200]
        return f"callback:{step}"[:200]

    @property
    def ivr_path(self) -> list[str]:
        """Return the states and keys this event adds to the caller's path."""
        return [str(entry) for entry in self.route.get("ivr_path", ())]

    def loggable_params(self) -> dict[str, str]:
        """Return the parameters without the caller's personal data."""
        return {k: v for k, v in self.params.items() if k not in PERSONAL_FIELDS}

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict, for the journal."""
        return {
            "kind": self.kind,
            "call_sid": self.call_sid,
            "received_at": self.received_at.isoformat(),
            "params": dict(self.params),
            "route": dict(self.route),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContactEvent:
        """Rebuild an event written by to_json."""
        return cls(
            kind=data["kind"],
            call_sid=data["call_sid"],
            received_at=datetime.fromisoformat(data["received_at"]),
            params=dict(data["params"]),
            route=dict(data.get("route", {})),
        )


def parse_timestamp(text: str) -> datetime | None:
    """Parse Twilio's RFC 2822 Timestamp into aware UTC; None when missing or malformed."""
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def whole_seconds(text: str | None) -> int | None:
    """Return a non-negative whole number of seconds from a Twilio field, else None."""
    return int(text) if text and text.isdigit() else None


@dataclass(frozen=True)
class CallState:
    """The mutable part of a call, as folded from its events so far."""

    started_at: datetime
    status: str | None = None
    last_sequence: int | None = None
    last_event_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    route_open: bool | None = None
    route_line: str | None = None
    route_reason: str | None = None
    dial_line: str | None = None
    dial_status: str | None = None
    talk_seconds: int | None = None
    # What our latest reply left the caller waiting on: "menu", "line:<line>" or "message".
    waiting_on: str | None = None
    # The dialled line's own call (child leg): its line, progress and who answered it.
    leg_sid: str | None = None
    leg_line: str | None = None
    leg_status: str | None = None
    leg_ringing_at: datetime | None = None
    leg_answered_at: datetime | None = None
    screening: str | None = None
    answered_by: str | None = None


STATE_FIELDS = tuple(f.name for f in dataclasses.fields(CallState))


def line_rank(event: ContactEvent, line: str | None) -> int:
    """Return a line's place in the routing order the event carries (-1 for no line).

    The always-open line comes last, so a later line in the chain supersedes an earlier
    attempt whatever order the events arrive in.
    """
    if not line:
        return -1
    order = [str(key) for key in event.route.get("lines", ())]
    return order.index(line) if line in order else 0
