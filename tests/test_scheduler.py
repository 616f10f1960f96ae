"""The clock process's schedule: Europe/London triggers, slots, and the jobs CLI."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.jobs.registry import find_job, jobs_of
from helpline.models import JobRun
from helpline.scheduler import build_scheduler, next_run, scheduled_slot, trigger_for
from tests.seeding import LONDON, uk

JOB_NAMES = [
    "retention", "stale-calls", "overdue-callbacks", "replay-journal", "report-rollups",
    "weekly-summary",
]  # fmt: skip


def test_every_declared_job_is_scheduled(app: Flask) -> None:
    """The scheduler carries each job once, coalesced, never two instances at once."""
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == sorted(JOB_NAMES)
    assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())


@pytest.mark.parametrize(("now", "expected"), [
    (datetime(2026, 7, 1, 12, tzinfo=UTC), datetime(2026, 7, 2, 1, 30, tzinfo=UTC)),  # BST
    (datetime(2026, 12, 1, 12, tzinfo=UTC), datetime(2026, 12, 2, 2, 30, tzinfo=UTC)),  # GMT
    (datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # spring
    (datetime(2026, 10, 24, 12, tzinfo=UTC), datetime(2026, 10, 25, 2, 30, tzinfo=UTC)),  # autumn
])  # fmt: skip
def test_retention_runs_at_half_past_two_uk_time(
    app: Flask, now: datetime, expected: datetime
) -> None:
    """Triggers are read in Europe/London, so summer time moves the UTC instant."""
    job = find_job(app, "retention")
    assert job is not None
    assert next_run(job, LONDON, now) == expected


def test_weekly_summary_runs_monday_morning(app: Flask) -> None:
    """The weekly summary is ready for Monday's shift."""
    job = find_job(app, "weekly-summary")
    assert job is not None
    upcoming = next_run(job, LONDON, uk(2026, 11, 24, 12, 0))
    assert upcoming == uk(2026, 11, 30, 7, 0)


def test_scheduled_slot_is_the_latest_due_fire_time(app: Flask) -> None:
    """A late start still claims the slot it was fired for, not an earlier or later one."""
    job = find_job(app, "stale-calls")
    assert job is not None
    trigger = trigger_for(job, LONDON)
    assert scheduled_slot(trigger, uk(2026, 11, 24, 10, 15, 0)) == uk(2026, 11, 24, 10, 15)
    assert scheduled_slot(trigger, uk(2026, 11, 24, 10, 18, 30)) == uk(2026, 11, 24, 10, 15)
    assert scheduled_slot(trigger, uk(2026, 11, 24, 10, 25, 0)) is None


def test_jobs_list_shows_each_job_with_its_next_run(runner: FlaskCliRunner) -> None:
    """`helpline jobs list` prints one line a job with its next run."""
    result = runner.invoke(args=["jobs", "list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == JOB_NAMES
    assert all(
        re.search(r" next \w{3} \d\d \w{3} 20\d\d \d\d:\d\d (GMT|BST) ", line) for line in lines
    )
    assert all(" last never " in line for line in lines)


def test_jobs_list_shows_how_each_job_last_went(app: Flask, runner: FlaskCliRunner) -> None:
    """After a run, the list says when it ran and how it went."""
    app.extensions["helpline.clock"] = lambda: datetime(2026, 11, 24, 9, 5, tzinfo=UTC)
    runner.invoke(args=["jobs", "run", "overdue-callbacks"])
    result = runner.invoke(args=["jobs", "list"])
    [line] = [line for line in result.output.splitlines() if line.startswith("overdue-callbacks")]
    assert " last done Tue 24 Nov 2026 09:05 GMT " in line


@pytest.mark.parametrize("name", JOB_NAMES)
def test_every_job_runs_by_hand(app: Flask, runner: FlaskCliRunner, name: str) -> None:
    """`helpline jobs run NAME` works for every job on an empty database, and is logged."""
    for dry_run in ([], ["--dry-run"]):
        result = runner.invoke(args=["jobs", "run", name, *dry_run])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output.strip().splitlines()[-1])["outcome"] == "done"
    with get_database(app).transaction() as session:
        runs = list(session.scalars(select(JobRun).order_by(JobRun.id)))
    assert [(r.job, r.dry_run, r.outcome) for r in runs] == [
        (name, False, "done"), (name, True, "done")
    ]  # fmt: skip
    assert all(r.finished_at is not None and r.slot is None for r in runs)


def test_unknown_job_is_a_usage_error(runner: FlaskCliRunner) -> None:
    """A mistyped job name lists the real ones."""
    result = runner.invoke(args=["jobs", "run", "retension"])
    assert result.exit_code == 2
    assert "retention" in result.output


def test_a_failing_job_is_logged_and_reported(app: Flask, runner: FlaskCliRunner) -> None:
    """A job that raises is recorded as failed and the command exits non-zero."""
    from helpline.jobs import Job

    def broken(context: object) -> dict[str, object]:
        raise RuntimeError("boom")

    jobs_of(app).append(Job("broken", broken, {"hour": "3"}, "always fails"))
    result = runner.invoke(args=["jobs", "run", "broken"])
    assert result.exit_code == 1
    with get_database(app).transaction() as session:
        run = session.scalars(select(JobRun)).one()
    assert (run.outcome, run.summary) == ("failed", {"error": "RuntimeError"})


def test_retention_fires_once_on_the_night_the_clocks_go_back(app: Flask) -> None:
    """01:00-02:00 happens twice that night; 02:30 still comes once."""
    job = find_job(app, "retention")
    assert job is not None
    trigger = trigger_for(job, LONDON)
    first = trigger.get_next_fire_time(None, datetime(2026, 10, 24, 12, tzinfo=UTC))
    second = trigger.get_next_fire_time(first, first + timedelta(microseconds=1))
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == datetime(2026, 10, 26, 2, 30, tzinfo=UTC)
