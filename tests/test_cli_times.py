"""Times the commands show a person are UK local time, with the zone: never UTC."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskCliRunner

from helpline.cli import main
from helpline.db import get_database
from helpline.logs import TextFormatter
from helpline.models import CallbackRequest, Case
from tests.seeding import uk

SUMMER_MORNING = datetime(2026, 6, 24, 9, 5, tzinfo=UTC)  # 10:05 BST


def test_jobs_list_shows_next_and_last_runs_in_uk_time(app: Flask, runner: FlaskCliRunner) -> None:
    """In summer the list says 10:05 BST for a run at 09:05 UTC, and the next run likewise."""
    app.extensions["helpline.clock"] = lambda: SUMMER_MORNING
    assert runner.invoke(args=["jobs", "run", "overdue-callbacks"]).exit_code == 0
    output = runner.invoke(args=["jobs", "list"]).output
    [line] = [line for line in output.splitlines() if line.startswith("overdue-callbacks")]
    assert " next Wed 24 Jun 2026 10:10 BST " in line
    assert " last done Wed 24 Jun 2026 10:05 BST " in line
    assert "Z " not in output and "+00:00" not in output


def test_an_overdue_callback_says_since_when_in_uk_time(app: Flask, runner: FlaskCliRunner) -> None:
    """The job's report names the deadline the way the team reads it, not as UTC."""
    with get_database(app).transaction() as session:
        case = Case(reference="HAR-2026-00001", caller_number=None, withheld=True)
        session.add(case)
        session.flush()
        due = uk(2026, 6, 23, 9, 0)
        session.add(
            CallbackRequest(case_id=case.id, requested_at=due, status="pending", due_at=due)
        )
    app.extensions["helpline.clock"] = lambda: SUMMER_MORNING
    result = runner.invoke(args=["jobs", "run", "overdue-callbacks", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "overdue since Tue 23 Jun 2026 09:00 BST" in result.output
    assert "08:00" not in result.output


def test_simulate_shows_the_call_and_the_callback_due_in_uk_time() -> None:
    """A summer evening's callback is due at 17:00 BST on Monday, not 16:00 "+00:00"."""
    presses = ["--press", "2", "--press", "1", "--press", "2"]
    args = ["simulate", "--at", "2026-07-24T20:00", "--dial-outcome", "no-answer", *presses]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert " at Fri 24 Jul 2026 20:00 BST" in result.output.splitlines()[0]
    assert "may leave a message no, due Mon 27 Jul 2026 17:00 BST" in result.output
    assert "+00:00" not in result.output and "+01:00" not in result.output


def test_development_log_lines_read_in_uk_time() -> None:
    """What a command logs on a developer's terminal is stamped in UK time, zone named."""
    record = logging.LogRecord("helpline.jobs", logging.INFO, __file__, 1, "done", None, None)
    record.created = SUMMER_MORNING.timestamp()
    assert TextFormatter().format(record).startswith("2026-06-24 10:05:00 BST INFO helpline.jobs")
