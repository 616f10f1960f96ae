"""Scheduled jobs: plain functions of a JobContext; registry.py declares them with their triggers.

This package's modules import what a job is from here, so it imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask


@dataclass
class JobContext:
    """What a job run gets: the app, the instant it runs at, and whether to change anything."""

    app: Flask
    now: datetime
    dry_run: bool = False
    lines: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        """Add a line to the run's report (never a phone number)."""
        self.lines.append(line)


JobFunction = Callable[[JobContext], Mapping[str, Any]]


@dataclass(frozen=True)
class Job:
    """A job and when it runs: cron fields, read in the service's time zone."""

    name: str
    function: JobFunction
    cron: Mapping[str, str]
    description: str
