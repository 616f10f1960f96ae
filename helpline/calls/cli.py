"""`helpline calls ...`: export the call log and replay the journal."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from helpline import current
from helpline.audit import cli_actor, record_audit
from helpline.calls import export
from helpline.cli_options import SINCE_HELP, UNTIL_HELP, period_usage_error
from helpline.db import get_database
from helpline.reports.periods import PeriodError, parse_span


@click.group("calls")
def calls_cli() -> None:
    """Export and repair the call log."""


@calls_cli.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="json", show_default=True
)
@click.option("--since", help=SINCE_HELP)
@click.option("--until", help=UNTIL_HELP)
@with_appcontext
def export_command(fmt: str, since: str | None, until: str | None) -> None:
    """Write every logged call, oldest first, to standard output."""
    try:
        span = parse_span(since, until, current.settings().calendar.timezone)
    except PeriodError as error:
        raise period_usage_error(error) from None
    render = export.as_csv if fmt == "csv" else export.as_json
    with get_database().transaction() as session:
        # Exports carry full numbers: who took one is audited, even from the command line. The
        # entry is written first, so a database that cannot be used stops us before any output.
        record_audit(
            session, cli_actor(), "export calls", f"calls {since or '-'}..{until or '-'}", fmt
        )
        session.flush()
        for chunk in render(export.rows(session, span.since, span.until)):
            click.echo(chunk, nl=False)


@calls_cli.command("replay")
@with_appcontext
def replay_command() -> None:
    """Record the events journaled while the database was unavailable."""
    recorded, failed = current.writer().replay_journal()
    click.echo(f"replayed {recorded} events, {failed} still failing")
    if failed:
        raise SystemExit(1)
