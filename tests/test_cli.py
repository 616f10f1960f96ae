"""The `helpline` commands: route, closures, calls export, db."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from flask.testing import FlaskCliRunner

from helpline.calls import export
from helpline.db import get_database
from tests.conftest import ROOT, environment
from tests.twilio_client import TwilioClient, incoming_params, status_params

EXPORT_FIELDS = {
    "call_sid", "case_reference", "from_number", "withheld", "to_number", "started_at",
    "route_line", "route_reason", "status", "dial_status", "duration_seconds", "talk_seconds",
}  # fmt: skip


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (
            "2026-11-24T10:00:00",
            {"open": True, "line": "harmony", "number": "+443301757258", "reason": "in hours"},
        ),
        (
            "2026-11-24T17:00:00",
            {"open": False, "line": "out_of_hours", "number": "+448081689111", "reason": "evening"},
        ),
        (
            "2026-12-28T10:00:00",
            {
                "open": False,
                "line": "out_of_hours",
                "number": "+448081689111",
                "reason": "bank holiday: Boxing Day (substitute day)",
            },
        ),
        (
            "2026-03-30T08:00:00Z",
            {"open": True, "line": "harmony", "number": "+443301757258", "reason": "in hours"},
        ),
    ],
)
def test_route_prints_one_json_object(
    runner: FlaskCliRunner, at: str, expected: dict[str, object]
) -> None:
    """`helpline route --at` prints exactly the contract's JSON object."""
    result = runner.invoke(args=["route", "--at", at])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected


def test_route_rejects_garbage(runner: FlaskCliRunner) -> None:
    """A bad instant is a usage error, not a traceback."""
    result = runner.invoke(args=["route", "--at", "next tuesday"])
    assert result.exit_code == 2 and "not an ISO 8601" in result.output


def add_closure(runner: FlaskCliRunner, start: str, end: str, reason: str, by: str) -> Result:
    """Run `helpline closures add` for a window, with its reason and who set it."""
    return runner.invoke(
        args=["closures", "add", "--start", start, "--end", end, "--reason", reason, "--by", by]
    )


def test_closures_add_list_remove_and_route(runner: FlaskCliRunner) -> None:
    """A closure added on the command line changes the route; removing it restores it."""
    added = add_closure(
        runner, "2026-11-24T14:30", "2026-11-24T17:00", "staff training", "Sam Supervisor"
    )
    assert added.exit_code == 0, added.output
    closure_id = added.output.split()[2].rstrip(":")
    listed = runner.invoke(args=["closures", "list", "--all"]).output
    assert "staff training" in listed and "Sam Supervisor" in listed
    routed = json.loads(runner.invoke(args=["route", "--at", "2026-11-24T15:00"]).stdout)
    assert routed["reason"] == "closure: staff training" and routed["open"] is False
    assert runner.invoke(args=["closures", "remove", closure_id]).exit_code == 0
    assert (
        json.loads(runner.invoke(args=["route", "--at", "2026-11-24T15:00"]).stdout)["open"] is True
    )


def test_closure_must_end_after_start(runner: FlaskCliRunner) -> None:
    """A backwards closure is refused with a clear message."""
    result = add_closure(runner, "2026-11-24T17:00", "2026-11-24T09:00", "x", "y")
    assert result.exit_code == 2 and "must end after it starts" in result.output


def seed(twilio: TwilioClient) -> None:
    """Log three calls on three days."""
    for day, sid in ((23, "CA1"), (24, "CA2"), (25, "CA3")):
        at = datetime(2026, 11, day, 10, tzinfo=UTC)
        twilio.at(at).post("/voice/incoming", incoming_params(sid, "+447911123456"))
        twilio.post(
            "/voice/status",
            status_params(sid, "+447911123456", "completed", 1, at + timedelta(seconds=50), 50),
        )


def test_export_json_shape_and_order(runner: FlaskCliRunner, twilio: TwilioClient) -> None:
    """JSON export: every call, oldest first, with the contract's fields."""
    seed(twilio)
    rows = json.loads(runner.invoke(args=["calls", "export", "--format", "json"]).stdout)
    assert [row["call_sid"] for row in rows] == ["CA1", "CA2", "CA3"]
    assert set(rows[0]) >= EXPORT_FIELDS
    assert rows[0]["started_at"] == "2026-11-23T10:00:00Z"
    assert (rows[0]["withheld"], rows[0]["duration_seconds"], rows[0]["from_number"]) == (
        False,
        50,
        "+447911123456",
    )


def test_export_since_until_are_inclusive_uk_days(
    runner: FlaskCliRunner, twilio: TwilioClient
) -> None:
    """--since and --until take whole UK days, both inclusive."""
    seed(twilio)
    result = runner.invoke(
        args=[
            "calls",
            "export",
            "--format",
            "json",
            "--since",
            "2026-11-24",
            "--until",
            "2026-11-24",
        ]
    )
    assert [row["call_sid"] for row in json.loads(result.stdout)] == ["CA2"]


def test_export_csv(runner: FlaskCliRunner, twilio: TwilioClient) -> None:
    """CSV export has a header and one row per call."""
    seed(twilio)
    result = runner.invoke(args=["calls", "export", "--format", "csv", "--since", "2026-11-24"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["call_sid"] for row in rows] == ["CA2", "CA3"]
    assert set(rows[0]) >= EXPORT_FIELDS


def test_export_empty_is_valid_json(runner: FlaskCliRunner) -> None:
    """No calls: an empty JSON array."""
    assert json.loads(runner.invoke(args=["calls", "export", "--format", "json"]).stdout) == []


def test_export_bad_date(runner: FlaskCliRunner) -> None:
    """A bad date is a usage error."""
    assert runner.invoke(args=["calls", "export", "--since", "yesterday"]).exit_code == 2


def test_export_streams_in_batches(app: Flask, twilio: TwilioClient) -> None:
    """Rows come from a lazy generator reading a server-side cursor, not a list."""
    seed(twilio)
    with get_database(app).transaction() as session:
        stream = export.rows(session, None, None)
        assert iter(stream) is stream
        assert next(stream)["call_sid"] == "CA1"
    query = export.calls_query(None, None).execution_options(yield_per=export.BATCH)
    assert query.get_execution_options()["yield_per"] == export.BATCH


def test_cli_export_and_closure_changes_are_audited(runner: FlaskCliRunner, app: Flask) -> None:
    """Exports and closure changes from the command line land in the audit log."""
    from sqlalchemy import select

    from helpline.models import AuditEntry

    runner.invoke(args=["calls", "export", "--format", "csv", "--since", "2026-11-01"])
    window = ["--start", "2026-11-24T14:30", "--end", "2026-11-24T17:00"]
    added = runner.invoke(args=["closures", "add", *window, "--reason", "training", "--by", "Sam"])
    runner.invoke(args=["closures", "remove", added.output.split()[2].rstrip(":")])
    with get_database(app).transaction() as session:
        entries = [
            (e.action, e.actor.split(" ")[0])
            for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        ]
    assert entries == [
        ("export calls", "command"),
        ("add closure", "Sam"),
        ("remove closure", "command"),
    ]


def test_closures_read_in_uk_time_both_ways(runner: FlaskCliRunner) -> None:
    """What `closures add` echoes and `closures list` prints is the same UK local time."""
    added = runner.invoke(
        args=["closures", "add", "--start", "2026-07-01T14:30", "--end", "2026-07-01T17:00",
              "--reason", "team day", "--by", "Sam Supervisor"]
    )  # fmt: skip
    assert "Wed 01 Jul 2026 14:30 BST to Wed 01 Jul 2026 17:00 BST" in added.output, added.output
    listed = runner.invoke(args=["closures", "list", "--all"]).output
    assert "Wed 01 Jul 2026 14:30 BST to Wed 01 Jul 2026 17:00 BST: team day" in listed


def test_closure_with_a_bad_date_says_which_and_how(runner: FlaskCliRunner) -> None:
    """A mistyped date names the option and shows the format, never 'Invalid isoformat string'."""
    result = runner.invoke(
        args=["closures", "add", "--start", "24/12/2026", "--end", "2026-12-24T17:00",
              "--reason", "x", "--by", "Sam"]
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--start" in result.output and "for example 2026-12-24T13:00" in result.output
    assert "isoformat" not in result.output


def test_help_is_about_the_helpline_and_quiet(database_url: str, tmp_path: Path) -> None:
    """`helpline --help` shows no Flask app-picking options and no start-up warnings."""
    env = os.environ | environment(database_url, TWILIO_AUTH_TOKEN="", HELPLINE_ENV="development")
    env["HELPLINE_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "helpline.cli", "--help"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "Run and manage the helpline service" in result.stdout
    assert "--env-file" not in result.stdout and "--version" not in result.stdout
    assert result.stderr == ""
