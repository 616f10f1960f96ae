"""Every `helpline` command, registered in one place.

Most run inside the app (settings, database): create_app adds APP_COMMANDS to the app's CLI.
The rest are the console script's own: they build their app themselves, so they still work
when the app refuses to start (a bad flow), and get the app factory from click's ScriptInfo.
"""

from __future__ import annotations

import functools
from typing import Any

import click
from flask.cli import ScriptInfo
from flask.cli import run_command as flask_run_command

from helpline.auth.cli import tokens_cli, users_cli
from helpline.calls.cli import calls_cli
from helpline.cli_options import app_factory
from helpline.closures.cli import closures_cli
from helpline.flows.cli import flows_cli, simulate_command
from helpline.jobs.cli import jobs_cli, retention_cli
from helpline.migrations.cli import db_cli
from helpline.reports.cli import reports_cli
from helpline.route_cli import route_command
from helpline.scheduler import scheduler_cli
from helpline.twilio.cli import twilio_cli


@click.command(
    "run",
    params=list(flask_run_command.params),
    short_help="Serve the helpline with Flask's development server.",
)
@click.pass_context
def run_command(context: click.Context, /, **options: Any) -> None:
    """Serve the helpline with Flask's development server (gunicorn serves it in production).

    Serving, unlike any other command, needs the secret key and says what would stop callers
    or staff getting through.
    """
    context.ensure_object(ScriptInfo).create_app = functools.partial(app_factory(), serving=True)
    context.invoke(flask_run_command, **options)


APP_COMMANDS = (
    route_command,
    db_cli,
    calls_cli,
    closures_cli,
    users_cli,
    tokens_cli,
    reports_cli,
    jobs_cli,
    retention_cli,
    scheduler_cli,
    twilio_cli,
)
# The console script's own: `run` serves; the flow tools build a throwaway app of their own.
SCRIPT_COMMANDS = (run_command, flows_cli, simulate_command)


def register_script_commands(group: click.Group) -> None:
    """Add the console script's own commands, replacing Flask's `run` with one that serves."""
    for command in SCRIPT_COMMANDS:
        group.add_command(command)
