"""`helpline jobs list` and `helpline jobs run NAME [--dry-run]`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from helpline import current
from helpline.cli_options import uk_time
from helpline.config import Calendar
from helpline.db import get_database
from helpline.jobs.registry import find_job, jobs_of
from helpline.jobs.retention import set_legal_hold
from helpline.jobs.runner import run_job
from helpline.models import JobRun
from helpline.scheduler import next_run


@click.group("jobs")
def jobs_cli() -> None:
    """List and run the scheduled jobs by hand."""


@jobs_cli.command("list")
@with_appcontext
def jobs_list() -> None:
    """Show every job, its schedule, its next run and how it last went, in UK local time."""
    calendar = current.settings().calendar
    now = current.now().astimezone(calendar.timezone)
    last = last_runs(calendar)
    for job in jobs_of(current_app):
        upcoming = next_run(job, calendar.timezone, now)
        schedule = " ".join(f"{field}={value}" for field, value in job.cron.items())
        when = uk_time(upcoming, calendar) if upcoming else "never"
        click.echo(
            f"{job.name:<20} next {when}  last {last.get(job.name, 'never')}  "
            f"({schedule})  {job.description}"
        )


def last_runs(calendar: Calendar) -> dict[str, str]:
    """Return each job's latest real run as 'outcome at time'; empty if the database is down."""
    query = select(JobRun).where(JobRun.dry_run.is_(False)).order_by(JobRun.started_at)
    try:
        with get_database().transaction() as session:
            runs = {run.job: run for run in session.scalars(query)}
    except SQLAlchemyError:
        return {}
    return {
        name: f"{run.outcome} {uk_time(run.started_at, calendar)}" for name, run in runs.items()
    }


@jobs_cli.command("run")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
@with_appcontext
def jobs_run(name: str, dry_run: bool) -> None:
    """Run one job now."""
    job = find_job(current_app, name)
    if job is None:
        names = ", ".join(j.name for j in jobs_of(current_app))
        raise click.BadParameter(f"no job called {name!r} (jobs: {names})", param_hint="NAME")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    result = run_job(app, job, dry_run=dry_run)
    for line in result.lines:
        click.echo(line)
    click.echo(
        json.dumps(
            {"job": name, "outcome": result.outcome, "dry_run": dry_run}
            | {"summary": result.summary}
        )
    )
    if result.outcome in ("failed", "busy"):
        raise SystemExit(1)


@click.group("retention")
def retention_cli() -> None:
    """Keep a case's personal data past the retention period (legal hold)."""


@retention_cli.command("hold")
@click.argument("reference")
@click.option("--release", is_flag=True, help="Take the case off legal hold.")
@with_appcontext
def retention_hold(reference: str, release: bool) -> None:
    """Put a case on legal hold, so the retention job leaves it alone."""
    with get_database().transaction() as session:
        case = set_legal_hold(session, reference.strip().upper(), held=not release)
    if case is None:
        raise click.BadParameter(f"no case {reference!r}", param_hint="REFERENCE")
    click.echo(f"case {case.reference}: {'released from' if release else 'on'} legal hold")
