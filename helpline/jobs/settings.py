"""The scheduled jobs' settings, as helpline.config loaded them with everything else."""

from __future__ import annotations

from flask import Flask

from helpline import current
from helpline.config import JobSettings, Settings


def job_settings(app: Flask | None = None) -> JobSettings:
    """Return the app's job settings: retention, stale calls, the weekly summary."""
    settings: Settings = current.settings(app)
    return settings.jobs
