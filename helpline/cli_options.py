"""What the commands share: UK local times read and written, and the app factory.

Times are read and shown the way a person in the UK reads them; the `helpline` console script
hands its app factory down to the commands that build an app of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import click
from flask import Flask
from flask.cli import ScriptInfo

from helpline.config import Calendar
from helpline.reports.periods import PeriodError
from helpline.routing import as_local

AppFactory = Callable[..., Flask]
# How --since and --until read, the same for every command (and ?since=&until= in the APIs).
SINCE_HELP = "From this day (YYYY-MM-DD, UK time) or instant (ISO 8601; naive means UK time)."
UNTIL_HELP = "To this day, inclusive (YYYY-MM-DD, UK time), or up to this instant (ISO 8601)."


def instant_option(value: str, calendar: Calendar, option: str = "--at") -> datetime:
    """Parse an ISO 8601 option (naive means UK time) or stop with a usage error."""
    try:
        return as_local(value, calendar)
    except ValueError:
        raise click.BadParameter(
            f"not an ISO 8601 date and time: {value!r} (for example 2026-12-24T13:00)",
            param_hint=option,
        ) from None


def period_usage_error(error: PeriodError) -> click.BadParameter:
    """Return the usage error for a wrong --since or --until, in the words the APIs use."""
    return click.BadParameter(error.problem, param_hint=f"--{error.name}")


def uk_time(instant: datetime, calendar: Calendar) -> str:
    """Return an instant as UK local time with its zone, e.g. 'Thu 24 Dec 2026 13:00 GMT'."""
    return instant.astimezone(calendar.timezone).strftime("%a %d %b %Y %H:%M %Z")


def app_factory() -> AppFactory:
    """Return how the console script builds the app: create_app, carried by click's ScriptInfo.

    The commands take it from there rather than import the app, which registers the commands.
    """
    info = click.get_current_context().find_object(ScriptInfo)
    if info is None or info.create_app is None:
        raise click.UsageError("run this through the `helpline` command")
    return info.create_app
