"""Report rollups: recount the last few whole days so the dashboard stays fast."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helpline import current
from helpline.db import get_database
from helpline.jobs import JobContext
from helpline.reports.rollups import recent_days, refresh_rollups


def run(context: JobContext) -> Mapping[str, Any]:
    """Recount the last three whole UK days into the rollups (late callbacks included)."""
    zone = current.settings(context.app).calendar.timezone
    first, last = recent_days(context.now.astimezone(zone).date())
    if context.dry_run:
        context.say(f"would roll up {first} to {last}")
        return {"first": first.isoformat(), "last": last.isoformat()}
    with get_database(context.app).transaction() as session:
        days = refresh_rollups(session, first, last, zone)
    context.say(f"rolled up {days} days, {first} to {last}")
    return {"days": days, "first": first.isoformat(), "last": last.isoformat()}
