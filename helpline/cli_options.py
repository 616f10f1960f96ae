"""Command-line values read and written the way a person in the UK reads them."""

from __future__ import annotations

from datetime import datetime

import click

from helpline.config import Calendar
from helpline.routing import as_local


def instant_option(value: str, calendar: Calendar, option: str = "--at") -> datetime:
    """Parse an ISO 8601 option (naive means UK time) or stop with a usage error."""
    try:
        return as_local(value, calendar)
    except ValueError:
        raise click.BadParameter(
            f"not an ISO 8601 date and time: {value!r} (for example 2026-12-24T13:00)",
            param_hint=option,
        ) from None


def uk_time(instant: datetime, calendar: Calendar) -> str:
    """Return an instant as UK local time with its zone, e.g. 'Thu 24 Dec 2026 13:00 GMT'."""
    return instant.astimezone(calendar.timezone).strftime("%a %d %b %Y %H:%M %Z")
