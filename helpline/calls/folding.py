"""How a call's events fold into its current state: forward only, whatever order they come in.

Pure. The dialled line's own call (the child leg) folds in legs.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from helpline.calls import legs
from helpline.calls.events import (
    FLOW_KINDS,
    LEG_KINDS,
    STATUS_RANK,
    TERMINAL_STATUSES,
    CallState,
    ContactEvent,
    line_rank,
    whole_seconds,
)


def fold(state: CallState, event: ContactEvent) -> CallState:
    """Return the state after one (already de-duplicated) event."""
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
    if state.dial_line is not None and line_rank(event, line) < line_rank(event, state.dial_line):
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
