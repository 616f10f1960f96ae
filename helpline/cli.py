"""The `helpline` console script: Flask's CLI plus the helpline's own commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from helpline import current
from helpline.app import create_app
from helpline.cli_options import instant_option
from helpline.closures import store
from helpline.db import get_database
from helpline.flows.cli import flows_cli, simulate_command
from helpline.routing import decide

MIGRATIONS = Path(__file__).parent / "migrations"


def create_cli_app() -> Flask:
    """Build the app for a command; only `helpline run` serves requests and needs the secret."""
    return create_app(serving=sys.argv[1:2] == ["run"])


@click.group(cls=FlaskGroup, create_app=create_cli_app, add_version_option=False)
def main() -> None:
    """Run and manage the Harmony helpline service."""


# The app is always the helpline's and its settings come from HELPLINE_*: Flask's options to
# pick another app or load an env file would only confuse `helpline --help`.
main.params = [option for option in main.params if option.name not in ("app", "env_file")]


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


# Added to the group itself, so they work even when the app refuses to start (a bad flow).
main.add_command(flows_cli)
main.add_command(simulate_command)


def alembic_config() -> AlembicConfig:
    """Return an Alembic config pointing at the package's migrations and the app's database."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database"] = get_database()
    return config


@click.group("db")
def db_cli() -> None:
    """Manage the database schema."""


@db_cli.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations."""
    alembic_command.upgrade(alembic_config(), revision)
    click.echo("database is up to date", err=True)


@db_cli.command("current")
@with_appcontext
def db_current() -> None:
    """Show the database's migration revision."""
    alembic_command.current(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
@with_appcontext
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration (for developers)."""
    alembic_command.revision(alembic_config(), message=message, autogenerate=autogenerate)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
