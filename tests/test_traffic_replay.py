"""Replay a realistic, messy day of Twilio traffic and check the export tells the truth."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.twilio_client import TwilioClient, dial_params, incoming_params, status_params

LONDON = ZoneInfo("Europe/London")


@dataclass
class Scenario:
    """One call and what the export must say about it afterwards."""

    sid: str
    caller: str
    at: datetime
    harmony: str | None  # Harmony dial outcome, if dialled
    support: str | None  # support line dial outcome, if dialled
    talk: int
    duration: int
    expect: dict[str, object] = field(default_factory=dict)
    announced: bool = True


def scenarios() -> list[Scenario]:
    """Return a day of calls: answered, missed, out of hours, withheld, repeat, unannounced."""
    day = datetime(2026, 11, 24, tzinfo=LONDON)
    return [
        Scenario("CA01", "+447700900001", day.replace(hour=9), "completed", None, 300, 320),
        Scenario("CA02", "07700 900002", day.replace(hour=11), "no-answer", "completed", 200, 240),
        Scenario("CA03", "+447700900001", day.replace(hour=13), "busy", "no-answer", 0, 70),
        Scenario("CA04", "+266696687", day.replace(hour=14), "completed", None, 60, 75),
        Scenario("CA05", "anonymous", day.replace(hour=19), None, "completed", 500, 515),
        Scenario("CA06", "+447700900003", day.replace(hour=17), None, "completed", 30, 45),
        Scenario(
            "CA07",
            "+447700900002",
            day.replace(hour=16, minute=59, second=59),
            "completed",
            None,
            10,
            25,
        ),
        Scenario("CA08", "+447700900004", day.replace(hour=10), None, None, 0, 12, announced=False),
    ]


def events_for(s: Scenario) -> list[tuple[str, dict[str, str], datetime | None]]:
    """Return the webhooks Twilio would send for a scenario, in natural order."""
    posts: list[tuple[str, dict[str, str], datetime | None]] = []
    if s.announced:
        posts.append(("/voice/incoming", incoming_params(s.sid, s.caller), s.at))
    posts.append(("/voice/status", status_params(s.sid, s.caller, "ringing", 0, s.at), None))
    if s.harmony:
        posts.append(("/voice/dial/harmony", dial_params(s.sid, s.caller, s.harmony, s.talk), None))
    if s.support:
        posts.append(
            ("/voice/dial/out_of_hours", dial_params(s.sid, s.caller, s.support, s.talk), None)
        )
    end = s.at + timedelta(seconds=s.duration)
    posts.append(
        ("/voice/status", status_params(s.sid, s.caller, "completed", 1, end, s.duration), None)
    )
    return posts


def messy(
    posts: list[tuple[str, dict[str, str], datetime | None]],
) -> list[tuple[str, dict[str, str], datetime | None]]:
    """Duplicate some events and swap status callbacks out of order, deterministically."""
    rng = random.Random(20261124)
    messy_posts = []
    for post in posts:
        messy_posts.append(post)
        if rng.random() < 0.4:
            messy_posts.append(post)  # Twilio retry
    status = [i for i, p in enumerate(messy_posts) if p[0] == "/voice/status"]
    for a, b in zip(status[::2], status[1::2], strict=False):
        if rng.random() < 0.5:
            messy_posts[a], messy_posts[b] = messy_posts[b], messy_posts[a]
    return messy_posts


def test_replay_leaves_one_true_record_per_call(
    app: Flask, twilio: TwilioClient, runner: FlaskCliRunner
) -> None:
    """Duplicated, reordered, withheld and unannounced traffic ends in one correct row per call."""
    plan = scenarios()
    for s in plan:
        for path, params, at in messy(events_for(s)):
            if at is not None:
                twilio.at(at)
            assert twilio.post(path, params).status_code in (200, 204)
    result = runner.invoke(args=["calls", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["call_sid"]: row for row in json.loads(result.output)}
    assert sorted(rows) == [s.sid for s in sorted(plan, key=lambda s: s.sid)]
    check_rows(rows, plan)
    check_cases(rows)


def check_rows(rows: dict[str, dict[str, object]], plan: list[Scenario]) -> None:
    """Every call has the right final status, durations, route and dial outcome."""
    for s in plan:
        row = rows[s.sid]
        assert row["status"] == "completed", s.sid
        assert row["duration_seconds"] == s.duration, s.sid
        final_dial = s.support or s.harmony
        assert row["dial_status"] == final_dial, s.sid
        assert row["talk_seconds"] == (
            s.talk if final_dial == "completed" else (0 if final_dial else None)
        ), s.sid
    assert [rows[s][k] for s in ("CA01", "CA07") for k in ("route_line", "route_reason")] == [
        "harmony",
        "in hours",
        "harmony",
        "in hours",
    ]
    assert (rows["CA05"]["route_line"], rows["CA05"]["route_reason"]) == ("out_of_hours", "evening")
    assert (rows["CA06"]["route_line"], rows["CA06"]["route_reason"]) == ("out_of_hours", "evening")
    assert rows["CA08"]["route_line"] is None


def check_cases(rows: dict[str, dict[str, object]]) -> None:
    """Known numbers share a case in any format; withheld calls each have their own."""
    case = {sid: row["case_reference"] for sid, row in rows.items()}
    assert case["CA01"] == case["CA03"]
    assert case["CA02"] == case["CA07"]
    assert (
        len({case["CA04"], case["CA05"], case["CA01"], case["CA02"], case["CA06"], case["CA08"]})
        == 6
    )
    for sid in ("CA04", "CA05"):
        assert rows[sid]["withheld"] is True and rows[sid]["from_number"] is None
    assert rows["CA02"]["from_number"] == "+447700900002"
    assert all(str(ref).startswith("HAR-2026-") for ref in case.values())
