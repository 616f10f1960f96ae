"""Where a call is now, from its dialled line's own progress events. Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from helpline.calls.events import TERMINAL_STATUSES

IN_MENU, TALKING, MESSAGE, ENDED = "in the menu", "talking", "leaving a message", "ended"
RINGING_STATUSES = frozenset({"queued", "initiated", "ringing"})
# A screened line has answered, but the caller hears ringing until the key is pressed.
CONNECTED_SCREENING = frozenset({None, "accepted"})


class CallFields(Protocol):
    """The fields of a call (a Call row or a CallState) that say where it is."""

    @property
    def status(self) -> str | None: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def waiting_on(self) -> str | None: ...
    @property
    def leg_line(self) -> str | None: ...
    @property
    def leg_status(self) -> str | None: ...
    @property
    def screening(self) -> str | None: ...


def where_now(state: CallFields, line_names: Mapping[str, str] | None = None) -> str:
    """Return where the call is: in the menu, ringing <line>, talking, leaving a message, ended."""
    if state.status in TERMINAL_STATUSES or state.ended_at is not None:
        return ENDED
    leg = live_leg(state)
    if leg is not None:
        return leg if leg == TALKING else f"ringing {_name(leg, line_names)}"
    waiting_on = state.waiting_on or ""
    if waiting_on == "message":
        return MESSAGE
    line = waiting_on.removeprefix("line:") if waiting_on.startswith("line:") else None
    if line and not (state.leg_line == line and state.leg_status in TERMINAL_STATUSES):
        return f"ringing {_name(line, line_names)}"
    return IN_MENU


def live_leg(state: CallFields) -> str | None:
    """Return TALKING, or the line ringing, while a dialled line's call is live; else None."""
    if state.leg_line is None or state.leg_status is None:
        return None
    if state.leg_status in RINGING_STATUSES:
        return state.leg_line
    if state.leg_status == "in-progress":
        return TALKING if state.screening in CONNECTED_SCREENING else state.leg_line
    return None


def _name(line: str, line_names: Mapping[str, str] | None) -> str:
    """Return a line's name for people, or its key in words when no names are given."""
    return (line_names or {}).get(line, line.replace("_", " "))
