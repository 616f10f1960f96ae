"""Where a live call is now, worked out from the call's own fields and the flow chart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpline.calls.whereabouts import (
    CallProgress,
    FlowChart,
    Stage,
    chart_of,
    duration_words,
    span_words,
    whereabouts,
)
from helpline.flows.loader import flow_files, load_flows
from helpline.flows.model import FlowSet
from tests.conftest import ROOT

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
STALE_AFTER = timedelta(minutes=120)
LINES = {"harmony": "Harmony line", "out_of_hours": "Victim Support 24/7 support line"}
CHART = FlowChart(
    stages={
        "greeting": Stage("say", speaking=timedelta(seconds=10)),
        "hours": Stage("hours"),
        "menu": Stage("menu", listen=timedelta(seconds=20), after_silence="connect"),
        "connect": Stage("dial", "harmony", listen=timedelta(seconds=30)),
        "voicemail": Stage("voicemail"),
        "callback": Stage("callback"),
        "goodbye": Stage("hangup"),
    },
    line_names=LINES,
)


def words(path: list[str], quiet: int, status: str = "in-progress", started: int = 0) -> str:
    """Return where a call with this path is, heard from `quiet` seconds ago."""
    call = CallProgress(
        status=status, started_at=NOW - timedelta(seconds=max(started, quiet)),
        last_heard_at=NOW - timedelta(seconds=quiet), ivr_path=path,
    )  # fmt: skip
    found = whereabouts(call, CHART, NOW, STALE_AFTER)
    assert found is not None
    return found.words


def test_an_ended_call_is_nowhere() -> None:
    for status in ("completed", "no-answer", "canceled", "unknown", None):
        call = CallProgress(status=status, started_at=NOW, last_heard_at=NOW, ivr_path=["menu"])
        assert whereabouts(call, CHART, NOW, STALE_AFTER) is None


def test_a_call_before_any_step_is_coming_in() -> None:
    assert words([], quiet=1, status="ringing") == "Coming in"


@pytest.mark.parametrize(
    ("quiet", "expected"),
    [
        (5, "In the menu"),
        (29, "In the menu"),  # 10 s of greeting said first, then 20 s to answer the menu
        (31, "Ringing the Harmony line"),
        (60, "Ringing the Harmony line"),
        (61, "Talking to the Harmony line"),
    ],
)
def test_a_silent_caller_goes_where_silence_leads(quiet: int, expected: str) -> None:
    assert words(["greeting", "hours:open", "menu"], quiet) == expected


def test_a_caller_put_through_rings_then_talks() -> None:
    path = ["greeting", "hours:open", "menu", "menu:1", "connect"]
    assert words(path, quiet=10) == "Ringing the Harmony line"
    assert words(path, quiet=45) == "Talking to the Harmony line"


def test_messages_callbacks_and_goodbyes() -> None:
    assert words(["menu:2", "voicemail"], quiet=400) == "Leaving a message"
    assert words(["menu:3", "callback"], quiet=10) == "Asking for a callback"
    assert words(["callback:requested", "goodbye"], quiet=2) == "Hearing the goodbye"


def test_a_path_between_steps_or_unknown_says_on_the_line() -> None:
    assert words(["connect", "connect:no_answer"], quiet=1) == "On the line"
    assert words(["somewhere_new"], quiet=1) == "On the line"


def test_elapsed_time_and_stale_marker() -> None:
    call = CallProgress(status="ringing", started_at=NOW - timedelta(hours=3),
                        last_heard_at=NOW - timedelta(hours=2, minutes=10))  # fmt: skip
    found = whereabouts(call, CHART, NOW, STALE_AFTER)
    assert found is not None and found.stale
    assert duration_words(found.elapsed) == "3:00:00"
    assert span_words(found.quiet_for) == "2 h 10 min"
    fresh = whereabouts(CallProgress("ringing", NOW, NOW), CHART, NOW, STALE_AFTER)
    assert fresh is not None and not fresh.stale and duration_words(fresh.elapsed) == "0:00"


def test_the_real_flows_chart_a_silent_caller_to_the_harmony_line() -> None:
    flows, problems = load_flows(flow_files(ROOT / "ivr_flows"))
    assert not problems
    chart = chart_of(FlowSet(flows, "harmony"), LINES, ring_timeout=25)
    dial = chart.stages["connect_harmony"]
    assert (dial.kind, dial.line) == ("dial", "harmony")
    assert dial.listen is not None and dial.listen > timedelta(seconds=25)  # words + ring time
    path = ["greeting", "hours:open", "menu"]
    at = {
        quiet: whereabouts(CallProgress("in-progress", NOW, NOW - timedelta(seconds=quiet), path),
                           chart, NOW, STALE_AFTER)
        for quiet in (20, 60, 180)
    }  # fmt: skip
    assert [found.words if found else None for found in at.values()] == [
        "In the menu", "Ringing the Harmony line", "Talking to the Harmony line"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("leg_status", "screening", "expected"),
    [
        ("initiated", None, "Ringing the Harmony line"),
        ("ringing", None, "Ringing the Harmony line"),
        (
            "in-progress",
            "asked",
            "Ringing the Harmony line",
        ),  # still screening: caller hears ringing
        ("in-progress", "accepted", "Talking to the Harmony line"),
        ("in-progress", None, "Talking to the Harmony line"),
    ],
)
def test_the_dialled_lines_own_events_beat_the_estimate(
    leg_status: str, screening: str | None, expected: str
) -> None:
    """Child-leg progress from Twilio says where the call is, however long it has been quiet."""
    call = CallProgress(
        status="in-progress", started_at=NOW - timedelta(seconds=5), last_heard_at=NOW,
        ivr_path=["greeting", "menu"], leg_line="harmony", leg_status=leg_status,
        screening=screening,
    )  # fmt: skip
    found = whereabouts(call, CHART, NOW, STALE_AFTER)
    assert found is not None and found.words == expected
