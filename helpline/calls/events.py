"""Twilio call events and how they fold into a call's current state. Pure."""

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
# A later line in the chain (the support line after Harmony) supersedes an earlier attempt.
LINE_ORDER = {"harmony": 0, "out_of_hours": 1}

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


def fold(state: CallState, event: ContactEvent) -> CallState:
    """Return the state after one (already de-duplicated) event."""
    from helpline.calls import legs

    if event.kind == "status":
        return _fold_status(state, event)
    if event.kind in LEG_KINDS:
        return legs.fold_leg(state, event)
    state = _fold_waiting_on(state, event)
    if event.kind == "dial":
        return _fold_call_status(legs.fold_dial_outcome(_fold_dial(state, event), event), event)
    if event.kind in FLOW_KINDS:
        return _fold_call_status(state, event)
    return _fold_incoming(state, event)


def _fold_waiting_on(state: CallState, event: ContactEvent) -> CallState:
    """Keep what our latest reply left the caller waiting on, if the event says."""
    if "waiting_on" not in event.route:
        return state
    return dataclasses.replace(state, waiting_on=str(event.route["waiting_on"]) or None)


def _fold_call_status(state: CallState, event: ContactEvent) -> CallState:
    """Advance the status from the CallStatus every Twilio request carries, forward only."""
    status = event.params.get("CallStatus", "")
    if _moves_forward(state.status, status, newer=False):
        return dataclasses.replace(state, status=status)
    return state


def _fold_incoming(state: CallState, event: ContactEvent) -> CallState:
    """Record the routing decision and the start of the call."""
    route = event.route
    status = event.params.get("CallStatus") or "ringing"
    return dataclasses.replace(
        state,
        started_at=min(state.started_at, event.received_at),
        status=status if _moves_forward(state.status, status, newer=False) else state.status,
        route_open=route.get("open", state.route_open),
        route_line=route.get("line", state.route_line),
        route_reason=route.get("reason", state.route_reason),
    )


def _fold_status(state: CallState, event: ContactEvent) -> CallState:
    """Advance status and timings monotonically; older events never overwrite newer ones."""
    newer = _is_newer(state, event)
    status = event.params.get("CallStatus", "")
    at = event.event_at or event.received_at
    changes: dict[str, Any] = {}
    if status in STATUS_RANK and _moves_forward(state.status, status, newer):
        changes["status"] = status
    if newer:
        changes["last_sequence"] = (
            event.sequence if event.sequence is not None else state.last_sequence
        )
        changes["last_event_at"] = at
    if status in ("initiated", "ringing", "queued"):
        changes["started_at"] = min(state.started_at, at)
    if status == "in-progress" and state.answered_at is None:
        changes["answered_at"] = at
    duration = whole_seconds(event.params.get("CallDuration"))
    if status in TERMINAL_STATUSES and (state.ended_at is None or newer):
        changes["ended_at"] = at
    if duration is not None and (state.duration_seconds is None or newer):
        changes["duration_seconds"] = duration
    return dataclasses.replace(state, **changes)


def _fold_dial(state: CallState, event: ContactEvent) -> CallState:
    """Keep the outcome of the furthest line the caller was offered."""
    line = str(event.route.get("line", ""))
    if state.dial_line is not None and LINE_ORDER.get(line, 0) < LINE_ORDER.get(state.dial_line, 0):
        return state
    return dataclasses.replace(
        state,
        dial_line=line or state.dial_line,
        dial_status=event.params.get("DialCallStatus") or state.dial_status,
        talk_seconds=whole_seconds(event.params.get("DialCallDuration")),
    )


def _is_newer(state: CallState, event: ContactEvent) -> bool:
    """Compare by SequenceNumber when both have one, else by Timestamp."""
    if event.sequence is not None and state.last_sequence is not None:
        return event.sequence > state.last_sequence
    if event.event_at is not None and state.last_event_at is not None:
        return event.event_at > state.last_event_at
    return state.last_sequence is None and state.last_event_at is None


def _moves_forward(current: str | None, new: str, newer: bool) -> bool:
    """Return True if a call may go from current to new: forward only, never out of the end."""
    if new not in STATUS_RANK:
        return False
    if current is None or current not in STATUS_RANK:
        return True
    if STATUS_RANK[new] > STATUS_RANK[current]:
        return True
    return newer and new != current and current in TERMINAL_STATUSES and new in TERMINAL_STATUSES
