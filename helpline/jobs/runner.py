"""Run a job once: take its lock, claim its slot, log the run in job_runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from flask import Flask
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from helpline import current
from helpline.db import get_database
from helpline.jobs import Job, JobContext
from helpline.jobs.lock import job_lock
from helpline.models import JobRun, utcnow

log = logging.getLogger(__name__)

Outcome = Literal["done", "failed", "busy", "already-ran"]


@dataclass(frozen=True)
class RunResult:
    """How a run went and what it reported."""

    outcome: Outcome
    summary: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def run_job(app: Flask, job: Job, dry_run: bool = False, slot: datetime | None = None) -> RunResult:
    """Run a job unless it is running elsewhere or its slot has run; never raise."""
    try:
        return _run_locked(app, job, dry_run, slot)
    except SQLAlchemyError as error:  # database down or not migrated: try again next time
        log.error("job %s could not start: database %s", job.name, type(error).__name__)
        return RunResult("failed", {"error": f"database: {type(error).__name__}"})


def _run_locked(app: Flask, job: Job, dry_run: bool, slot: datetime | None) -> RunResult:
    """Take the job's lock and claim its slot, then run it."""
    with app.app_context(), job_lock(get_database(app), job.name, Path(app.instance_path)) as held:
        if not held:
            log.info("job %s is already running elsewhere; skipped", job.name)
            return RunResult("busy")
        run_id = _claim(app, job.name, slot, dry_run)
        if run_id is None:
            log.info("job %s already ran for %s; skipped", job.name, slot)
            return RunResult("already-ran")
        return _run_claimed(app, job, run_id, dry_run)


def _claim(app: Flask, name: str, slot: datetime | None, dry_run: bool) -> int | None:
    """Insert the run's row; None if another process already ran this slot."""
    clock: Callable[[], datetime] = current.clock(app)
    try:
        with get_database(app).transaction() as session:
            run = JobRun(job=name, slot=slot, dry_run=dry_run, started_at=clock(), summary={})
            session.add(run)
            session.flush()
            return run.id
    except IntegrityError:
        return None


def _run_claimed(app: Flask, job: Job, run_id: int, dry_run: bool) -> RunResult:
    """Call the job function and record its outcome; a failure is logged, not raised."""
    clock: Callable[[], datetime] = current.clock(app)
    context = JobContext(app=app, now=clock(), dry_run=dry_run)
    try:
        summary = dict(job.function(context))
        outcome: Outcome = "done"
    except Exception as error:  # a job's failure must not kill the clock process
        log.exception("job %s failed", job.name)
        summary, outcome = {"error": type(error).__name__}, "failed"
    _finish(app, run_id, outcome, summary)
    log.info("job %s %s%s: %s", job.name, outcome, " (dry run)" if dry_run else "", summary)
    return RunResult(outcome, summary, context.lines)


def _finish(app: Flask, run_id: int, outcome: str, summary: dict[str, Any]) -> None:
    """Record how the run ended."""
    with get_database(app).transaction() as session:
        run = session.get_one(JobRun, run_id)
        run.outcome, run.summary, run.finished_at = outcome, summary, utcnow()
