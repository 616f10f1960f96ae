"""`helpline reports rollup`: work out the report rollups for a range of days."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpline import current
from helpline.cli_options import SINCE_HELP, UNTIL_HELP, period_usage_error
from helpline.db import get_database
from helpline.models import utcnow
from helpline.reports.periods import Period, PeriodError, parse_period
from helpline.reports.rollups import recent_days, refresh_rollups


@click.group("reports")
def reports_cli() -> None:
    """Keep the report rollups up to date."""


@reports_cli.command("rollup")
@click.option("--since", help=f"{SINCE_HELP} Default: three days ago.")
@click.option("--until", help=f"{UNTIL_HELP} Default: yesterday.")
@with_appcontext
def rollup_command(since: str | None, until: str | None) -> None:
    """Recount whole past days into the rollups (run daily, or after repairing the call log)."""
    zone = current.settings().calendar.timezone
    recent = Period(*recent_days(utcnow().astimezone(zone).date()), zone)
    try:
        period = parse_period(since, until, recent)
    except PeriodError as error:
        raise period_usage_error(error) from None
    with get_database().transaction() as session:
        days = refresh_rollups(session, period.first, period.last, zone)
    click.echo(f"rolled up {days} days, {period.first} to {period.last}")
