"""`helpline route --at`: which line answers at an instant, as one JSON object."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from helpline import current
from helpline.cli_options import instant_option
from helpline.closures import store
from helpline.db import get_database
from helpline.routing import decide


@click.command("route")
@click.option("--at", "at", required=True, help="ISO 8601 instant; naive means UK local time.")
@with_appcontext
def route_command(at: str) -> None:
    """Print the routing decision for an instant as JSON."""
    settings = current.settings()
    instant = instant_option(at, settings.calendar)
    try:
        with get_database().transaction() as session:
            closures = store.covering(session, instant)
    except Exception as error:  # no database: say so, and route on config alone
        click.echo(f"warning: closures unavailable ({type(error).__name__})", err=True)
        closures = []
    click.echo(json.dumps(decide(instant, settings.calendar, closures).as_json()))
