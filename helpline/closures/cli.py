"""`helpline closures add|list|remove`: manage closures until the supervisor pages exist."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from helpline import current
from helpline.audit import cli_actor, record_audit
from helpline.cli_options import instant_option, uk_time
from helpline.closures import store
from helpline.config import Calendar
from helpline.db import get_database
from helpline.models import Closure, utcnow
from helpline.routing import ClosureKind


@click.group("closures")
def closures_cli() -> None:
    """Close (or open) a line outside its usual hours."""


@closures_cli.command("add")
@click.option("--start", required=True, help="ISO 8601; naive means UK local time.")
@click.option("--end", required=True, help="ISO 8601; naive means UK local time.")
@click.option("--reason", required=True, help='Said in reports, e.g. "staff training".')
@click.option("--by", "set_by", required=True, help="Who set it.")
@click.option("--open", "opening", is_flag=True, help="Open the line instead of closing it.")
@click.option("--line", help="The line's key in the config; the main line if left out.")
@with_appcontext
def add_command(
    start: str, end: str, reason: str, set_by: str, opening: bool, line: str | None
) -> None:
    """Add a closure."""
    calendar = current.settings().calendar
    starts_at = instant_option(start, calendar, "--start")
    ends_at = instant_option(end, calendar, "--end")
    line = _line_option(line, calendar)
    try:
        with get_database().transaction() as session:
            kind: ClosureKind = "open" if opening else "closed"
            closure = store.add(session, starts_at, ends_at, reason, set_by, kind, line)
            record_audit(session, cli_actor(set_by), "add closure", f"closure {closure.id}", reason)
            click.echo(f"added closure {closure.id}: {_describe(closure, calendar)}")
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@closures_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include closures that have ended.")
@with_appcontext
def list_command(show_all: bool) -> None:
    """List current and future closures."""
    calendar = current.settings().calendar
    query = select(Closure).order_by(Closure.starts_at)
    if not show_all:
        query = query.where(Closure.ends_at > utcnow())
    with get_database().transaction() as session:
        for closure in session.scalars(query):
            click.echo(f"{closure.id}\t{_describe(closure, calendar)}")


@closures_cli.command("remove")
@click.argument("closure_id", type=int)
@with_appcontext
def remove_command(closure_id: int) -> None:
    """Remove a closure by its id."""
    with get_database().transaction() as session:
        closure = session.get(Closure, closure_id)
        if closure is None:
            raise click.UsageError(f"no closure {closure_id}")
        session.delete(closure)
        record_audit(
            session, cli_actor(), "remove closure", f"closure {closure_id}", closure.reason
        )
    click.echo(f"removed closure {closure_id}")


def _line_option(key: str | None, calendar: Calendar) -> str:
    """Return the --line given (the main line if none), refusing a line without hours."""
    keys = [line.key for line in calendar.scheduled]
    if key is None:
        return keys[0]
    if key not in keys:
        raise click.BadParameter(f"must be one of {', '.join(keys)}", param_hint="--line")
    return key


def _describe(closure: Closure, calendar: Calendar) -> str:
    """Return one readable line about a closure, in UK time."""
    kind = "open" if closure.kind == "open" else "closed"
    span = f"{uk_time(closure.starts_at, calendar)} to {uk_time(closure.ends_at, calendar)}"
    line = calendar.name_of(closure.line)
    return f"{line} {kind} {span}: {closure.reason} (set by {closure.set_by})"
