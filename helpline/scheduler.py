"""The clock process: `helpline scheduler run` fires each job on its Europe/London schedule.

Run exactly one per deployment (the Procfile's `clock:` line), never inside web workers.
Starting a second one by mistake is harmless: each job takes a lock and claims its slot.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import datetime, timedelta
from typing import Any

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from helpline import current
from helpline.jobs import Job
from helpline.jobs.registry import jobs_of
from helpline.jobs.runner import run_job
from helpline.models import utcnow

log = logging.getLogger(__name__)

STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}
# Platforms allow about ten seconds between SIGTERM and SIGKILL; leave room to exit cleanly.
STOP_DRAIN_SECONDS = 5.0
# How late a job may still start after its time (clock process busy or restarting).
MISFIRE_GRACE = timedelta(minutes=5)


def trigger_for(job: Job, zone: Any) -> CronTrigger:
    """Return the job's cron trigger in the service's time zone."""
    return CronTrigger(timezone=zone, **job.cron)


def scheduled_slot(trigger: CronTrigger, now: datetime) -> datetime | None:
    """Return the fire time being run now: the latest one due within the misfire grace."""
    slot = None
    candidate = trigger.get_next_fire_time(None, now - MISFIRE_GRACE)
    while candidate is not None and candidate <= now:
        slot = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(microseconds=1))
    return slot


def fire(app: Flask, job: Job, trigger: CronTrigger) -> None:
    """Run a scheduled job for its slot, so two clock processes run it once between them."""
    now = utcnow()
    slot = scheduled_slot(trigger, now.astimezone(trigger.timezone))
    run_job(app, job, slot=slot or now.replace(second=0, microsecond=0))


def build_scheduler(app: Flask) -> BlockingScheduler:
    """Return a scheduler with every declared job on its trigger."""
    zone = current.settings(app).calendar.timezone
    scheduler = BlockingScheduler(timezone=zone)
    for job in jobs_of(app):
        trigger = trigger_for(job, zone)
        scheduler.add_job(
            fire,
            trigger,
            args=(app, job, trigger),
            id=job.name,
            name=job.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(MISFIRE_GRACE.total_seconds()),
        )
    return scheduler


def next_run(job: Job, zone: Any, now: datetime) -> datetime | None:
    """Return when the job next runs after now."""
    result: datetime | None = trigger_for(job, zone).get_next_fire_time(None, now)
    return result


@click.group("scheduler")
def scheduler_cli() -> None:
    """The clock process."""


@scheduler_cli.command("run")
@with_appcontext
def scheduler_run() -> None:
    """Run the jobs on their schedules until stopped (the Procfile's clock process)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        log.info(
            "scheduled %s: next run %s", job.id, job.trigger.get_next_fire_time(None, utcnow())
        )
    run_until_stopped(scheduler)
    # A replay-journal run cut short leaves its events on disk; write what it can before going.
    current.writer(app).stop(timeout=STOP_DRAIN_SECONDS)
    log.info("clock process stopped")


def run_until_stopped(scheduler: BlockingScheduler) -> None:
    """Run the scheduler in a thread until SIGTERM or SIGINT, then let running jobs finish.

    The signals are blocked and awaited with sigwait rather than handled: a handler would run
    scheduler code inside whatever lock the main loop happened to hold, and could deadlock.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # inherited by every new thread
    clock = threading.Thread(target=_run_clock, args=(scheduler,), name="clock")
    clock.start()
    received = signal.sigwait(STOP_SIGNALS)
    log.info("received %s: stopping after any running job", signal.Signals(received).name)
    if scheduler.running:
        scheduler.shutdown(wait=True)
    clock.join()


def _run_clock(scheduler: BlockingScheduler) -> None:
    """Run the scheduler's loop; if it dies, stop the process rather than idle silently."""
    try:
        scheduler.start()
    except Exception:
        log.exception("the scheduler stopped unexpectedly")
        os.kill(os.getpid(), signal.SIGTERM)  # process-directed, so sigwait sees it
