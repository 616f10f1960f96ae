"""`helpline db upgrade|current|revision`: the database schema, migrated by Alembic."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask.cli import with_appcontext

from helpline.db import get_database

MIGRATIONS = Path(__file__).parent


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
