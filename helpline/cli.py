"""The `helpline` console script: Flask's CLI plus the helpline's own commands (commands.py)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError

from helpline.app import create_app
from helpline.commands import register_script_commands
from helpline.database import failure_reason


def create_command_app(
    environ: Mapping[str, str] | None = None,
    instance_path: str | None = None,
    serving: bool = False,
) -> Flask:
    """Build the app for a command: offline, so without the secret key or start-up warnings.

    `helpline run` asks for serving=True; gunicorn calls create_app(), which serves.
    """
    return create_app(environ, instance_path, serving)


class HelplineGroup(FlaskGroup):
    """Flask's command group, saying in one line when the database cannot be used."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a database that is down or not migrated is one line, not a trace."""
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError, InterfaceError) as error:
            raise click.ClickException(
                f"the database cannot be used ({failure_reason(error)}); check "
                "HELPLINE_DATABASE_URL, and that it is migrated (`helpline db upgrade`)"
            ) from None


@click.group(cls=HelplineGroup, create_app=create_command_app, add_version_option=False)
def main() -> None:
    """Run and manage the helpline service: calls, cases, closures, reports and jobs."""


# The app is always the helpline's and its settings come from HELPLINE_*: Flask's options to
# pick another app or load an env file would only confuse `helpline --help`.
main.params = [option for option in main.params if option.name not in ("app", "env_file")]
register_script_commands(main)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
