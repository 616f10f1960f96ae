"""`helpline reports rollup`: work out the report rollups for a range of days."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from helpline import current
from helpline.db import get_database
from helpline.models import utcnow
from helpline.reports.rollups import recent_days, refresh_rollups


@click.group("reports")
def reports_cli() -> None:
    """Keep the report rollups up to date."""


@reports_cli.command("rollup")
@click.option("--since", help="First day (YYYY-MM-DD, UK time); default three days ago.")
@click.option("--until", help="Last day, inclusive; default yesterday.")
@with_appcontext
def rollup_command(since: str | None, until: str | None) -> None:
    """Recount whole past days into the rollups (run daily, or after repairing the call log)."""
    zone = current.settings().calendar.timezone
    first, last = recent_days(utcnow().astimezone(zone).date())
    try:
        first = date.fromisoformat(since) if since else first
        last = date.fromisoformat(until) if until else last
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--since/--until") from None
    if last < first:
        raise click.BadParameter("--until must not be before --since")
    with get_database().transaction() as session:
        days = refresh_rollups(session, first, last, zone)
    click.echo(f"rolled up {days} days, {first} to {last}")
