"""The scheduled jobs' settings, as helpline.config loaded them with everything else."""

from __future__ import annotations

from flask import Flask, current_app

from helpline.config import JobSettings, Settings


def job_settings(app: Flask | None = None) -> JobSettings:
    """Return the app's job settings: retention, stale calls, the weekly summary."""
    settings: Settings = (app or current_app).extensions["helpline.settings"]
    return settings.jobs
