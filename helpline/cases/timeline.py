"""One newest-first story of a case: calls, notes, voicemails, callbacks and changes, in words."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from helpline.models import Call, CallbackAttempt, CallbackRequest, CaseChange, CaseNote, Voicemail

Clock = Callable[[datetime], str]
ATTEMPT_WORDS = {
    "done": "spoke to the caller",
    "no_answer": "no answer, to try again",
    "failed": "could not be made",
}
CHANGE_WORDS = {
    "outcome": "Outcome recorded",
    "safety": "Safety flags changed",
    "open": "Case reopened",
    "closed": "Case closed",
}


@dataclass(frozen=True)
class Entry:
    """One thing that happened on a case, ready to show."""

    at: datetime
    kind: str
    anchor: str
    title: str
    detail: str = ""
    who: str = ""
    call: Call | None = None
    path: str = ""
    voicemail: Voicemail | None = None


def timeline(*groups: Iterable[Entry]) -> list[Entry]:
    """Merge the entries of every kind into one list, newest first."""
    entries = [entry for group in groups for entry in group]
    return sorted(entries, key=lambda entry: (entry.at, entry.anchor), reverse=True)


def call_entries(
    calls: Iterable[Call], outcomes: Mapping[int, str], lines: Mapping[str, str]
) -> list[Entry]:
    """Describe each call: how it ended, on which line, ring and talk time, and its path."""
    return [
        Entry(
            call.started_at,
            "call",
            f"call-{call.call_sid}",
            call_title(call, outcomes.get(call.id, ""), lines),
            call_detail(call),
            call=call,
            path=path_words(call.ivr_path),
        )
        for call in calls
    ]


def call_title(call: Call, outcome: str, lines: Mapping[str, str]) -> str:
    """Return what happened on a call, in the words the calls list uses."""
    answered_by = lines.get(call.dial_line or "", "a line")
    missed_on = lines.get(call.route_line or "", "the line")
    titles = {
        "ringing": "Call ringing now",
        "in progress": "Call in progress",
        "answered": f"Call answered by the {answered_by}",
        "voicemail": "Call: the caller left a voicemail",
        "missed": f"Missed call: the {missed_on} did not answer",
        "unanswered": "Call not answered",
    }
    return titles.get(outcome, "Call")


def call_detail(call: Call) -> str:
    """Return in or out of hours, ring time and talk time."""
    hours = {True: "In hours", False: "Out of hours"}.get(bool(call.route_open), "")
    parts = [hours] if call.route_open is not None else []
    if call.duration_seconds is not None:
        parts.append(f"rang {minutes(call.duration_seconds - (call.talk_seconds or 0))}")
    if call.talk_seconds:
        parts.append(f"talked {minutes(call.talk_seconds)}")
    return " · ".join(parts)


def minutes(seconds: int) -> str:
    """Format seconds as m:ss."""
    seconds = max(seconds, 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def path_words(path: Iterable[object]) -> str:
    """Return the caller's way through the menus in words: "Greeting, then Menu: pressed 1"."""
    return ", then ".join(step_words(str(entry)) for entry in path)


def step_words(entry: str) -> str:
    """Return a path entry ("connect_harmony:no_answer") as words ("Connect harmony: no answer")."""
    state, _, event = entry.rpartition("/")[2].partition(":")
    words = state.replace("_", " ").capitalize()
    if not event:
        return words
    happened = f"pressed {event}" if event.isdigit() else event.replace("_", " ")
    return f"{words}: {happened}"


def note_entries(notes: Iterable[CaseNote], names: Mapping[str, str]) -> list[Entry]:
    """Describe each note with its author's name."""
    return [
        Entry(
            note.created_at,
            "note",
            f"note-{note.id}",
            "Note",
            note.body,
            names.get(note.author, note.author),
        )
        for note in notes
    ]


def voicemail_entries(voicemails: Iterable[Voicemail]) -> list[Entry]:
    """Describe each voicemail; the page plays it through our own route."""
    return [
        Entry(
            message.created_at,
            "voicemail",
            f"voicemail-{message.id}",
            f"Voicemail ({minutes(message.duration_seconds or 0)})",
            "The recording was removed after the retention period."
            if message.recording_deleted_at
            else "",
            voicemail=message,
        )
        for message in voicemails
    ]


def callback_entries(
    callbacks: Iterable[CallbackRequest], names: Mapping[str, str], when: Clock
) -> list[Entry]:
    """Describe each callback owed: who asked, what they agreed to, and how it ended."""
    return [
        Entry(
            callback.requested_at,
            "callback",
            f"callback-{callback.id}",
            "Asked for a callback"
            if callback.source != "missed_call"
            else "Callback owed for a missed call",
            callback_detail(callback, names, when),
        )
        for callback in callbacks
    ]


def callback_detail(callback: CallbackRequest, names: Mapping[str, str], when: Clock) -> str:
    """Return the consent given and where the callback stands."""
    consent = (
        "The caller gave no consent: check the safety flags."
        if callback.source == "missed_call"
        else f"The caller said: safe to call {'yes' if callback.safe_to_call else 'no'}, "
        f"message {'yes' if callback.may_leave_message else 'no'}."
    )
    if callback.status == "pending":
        due = f" Due {when(callback.due_at)}." if callback.due_at else ""
        return f"{consent} Still owed.{due}"
    who = names.get(callback.completed_by or "", callback.completed_by or "")
    closed = "Done" if callback.status == "done" else "Failed"
    ended = f" on {when(callback.completed_at)}" if callback.completed_at else ""
    reason = f": {callback.outcome}" if callback.outcome else ""
    return f"{consent} {closed}{ended}, by {who}{reason}."


def attempt_entries(attempts: Iterable[CallbackAttempt], names: Mapping[str, str]) -> list[Entry]:
    """Describe each attempt at a callback, with who made it."""
    return [
        Entry(
            attempt.at,
            "attempt",
            f"attempt-{attempt.id}",
            f"Callback attempt: {ATTEMPT_WORDS.get(attempt.result, attempt.result)}",
            attempt.note,
            names.get(attempt.actor, attempt.actor),
        )
        for attempt in attempts
    ]


def change_entries(
    changes: Iterable[CaseChange], names: Mapping[str, str], calls: Mapping[str, str]
) -> list[Entry]:
    """Describe each change to the case (safety flags included), with who made it."""
    return [
        Entry(
            change.at,
            "change",
            f"change-{change.id}",
            *change_words(change, names, calls),
            who=names.get(change.actor, change.actor),
        )
        for change in changes
    ]


def change_words(
    change: CaseChange, names: Mapping[str, str], calls: Mapping[str, str]
) -> tuple[str, str]:
    """Return a change's title and detail in words; calls maps a call SID to its start time."""
    if change.kind in ("call_moved_out", "call_moved_in"):
        return moved_words(change, calls), ""
    words = {
        "assigned": f"Assigned to {names.get(change.detail, change.detail)}",
        "merged_into": f"Merged into {change.detail}",
        "merged_from": f"{change.detail} was merged into this case",
    }
    if change.kind in words:
        return words[change.kind], ""
    title = CHANGE_WORDS.get(change.kind, change.kind.replace("_", " ").capitalize())
    return title, change.detail


def moved_words(change: CaseChange, calls: Mapping[str, str]) -> str:
    """Describe a call moved in or out ("CA… to HAR-…" in the history) by its start time."""
    separator, verb = (
        (" to ", "was moved to")
        if change.kind == "call_moved_out"
        else (" from ", "was moved here from")
    )
    sid, _, reference = change.detail.partition(separator)
    return f"The call of {calls.get(sid.strip(), 'an earlier time')} {verb} {reference}"
