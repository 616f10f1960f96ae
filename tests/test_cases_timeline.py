"""The case timeline in words: menu paths, call outcomes and history entries, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpline.cases.timeline import (
    Entry,
    call_detail,
    call_title,
    change_words,
    path_words,
    timeline,
)
from helpline.models import Call, CaseChange

LINES = {"harmony": "Harmony line", "out_of_hours": "Victim Support 24/7 support line"}
AT = datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_menu_paths_read_as_words_not_codes() -> None:
    path = ["greeting", "hours:open", "menu:1", "connect_harmony:no_answer",
            "harmony_unanswered:3", "callbacks/callback:no_message"]  # fmt: skip
    assert path_words(path) == (
        "Greeting, then Hours: open, then Menu: pressed 1, then Connect harmony: no answer, "
        "then Harmony unanswered: pressed 3, then Callback: no message"
    )
    assert path_words([]) == ""


def test_calls_are_described_with_the_line_that_answered_or_missed_them() -> None:
    answered = Call(call_sid="CA1", route_open=True, route_line="harmony", dial_line="out_of_hours",
                    duration_seconds=125, talk_seconds=100)  # fmt: skip
    assert call_title(answered, "answered", LINES) == (
        "Call answered by the Victim Support 24/7 support line"
    )
    assert call_detail(answered) == "In hours · rang 0:25 · talked 1:40"
    missed = Call(call_sid="CA2", route_open=True, route_line="harmony")
    assert call_title(missed, "missed", LINES) == "Missed call: the Harmony line did not answer"
    assert call_title(missed, "ringing", LINES) == "Call ringing now"
    assert call_detail(Call(call_sid="CA3", route_open=False)) == "Out of hours"


def test_history_entries_name_people_and_calls_not_emails_and_sids() -> None:
    names = {"ann@example.org": "Ann Smith"}
    calls = {"CA9": "Tue 24 Nov 2026 10:00"}
    moved = CaseChange(kind="call_moved_out", detail="CA9 to HAR-2026-00002", actor="x")
    assert change_words(moved, names, calls) == (
        "The call of Tue 24 Nov 2026 10:00 was moved to HAR-2026-00002",
        "",
    )
    arrived = CaseChange(kind="call_moved_in", detail="CA9 from HAR-2026-00001", actor="x")
    assert change_words(arrived, names, calls)[0].endswith("was moved here from HAR-2026-00001")
    assigned = CaseChange(kind="assigned", detail="ann@example.org", actor="x")
    assert change_words(assigned, names, calls) == ("Assigned to Ann Smith", "")
    safety = CaseChange(kind="safety", detail="Safe to call back: no, do not call.", actor="x")
    assert change_words(safety, names, calls) == (
        "Safety flags changed",
        "Safe to call back: no, do not call.",
    )


def test_the_timeline_is_newest_first_across_kinds() -> None:
    note = Entry(AT + timedelta(minutes=5), "note", "note-1", "Note")
    call = Entry(AT, "call", "call-CA1", "Call")
    change = Entry(AT + timedelta(minutes=9), "change", "change-1", "Case closed")
    assert [entry.anchor for entry in timeline([call], [note, change])] == [
        "change-1", "note-1", "call-CA1"]  # fmt: skip
