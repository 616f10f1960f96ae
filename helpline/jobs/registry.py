"""The helpline's jobs, declared once with their triggers in the service's time zone."""

from __future__ import annotations

from flask import Flask

from helpline import current
from helpline.jobs import Job, callbacks, journal, retention, rollups, stale_calls, summary


def declared_jobs() -> list[Job]:
    """Return the helpline's jobs with their triggers (UK local time).

    Nightly work runs at 02:30, which exists exactly once on both clock-change nights.
    """
    # One job a line, read across: name, function, trigger, then what it does for the service.
    return [
        Job("retention", retention.run, {"hour": "2", "minute": "30"},
            "anonymise calls, cases and callbacks older than the retention period"),
        Job("stale-calls", stale_calls.run, {"minute": "*/15"},
            "ask Twilio about calls that never reported their end"),
        Job("overdue-callbacks", callbacks.run, {"minute": "*/10"},
            "flag callbacks not made within one working day"),
        Job("replay-journal", journal.run, {"minute": "*/5"},
            "record call events journaled while the database was unavailable"),
        Job("report-rollups", rollups.run, {"hour": "3", "minute": "15"},
            "recount the last three days into the dashboard's rollups"),
        Job("weekly-summary", summary.run, {"day_of_week": "mon", "hour": "7", "minute": "0"},
            "write (and email) last week's summary for supervisors"),
    ]  # fmt: skip


def init_app(app: Flask) -> None:
    """Attach the job list; other modules may append their own Job to it."""
    current.install(app, jobs=declared_jobs())


def jobs_of(app: Flask) -> list[Job]:
    """Return the app's jobs."""
    return current.jobs(app)


def find_job(app: Flask, name: str) -> Job | None:
    """Return the job called name, if there is one."""
    return next((job for job in jobs_of(app) if job.name == name), None)
