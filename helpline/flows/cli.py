"""`helpline flows check|test` and `helpline simulate`: try flows without a Twilio account."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from helpline import current, flows
from helpline.cli_options import AppFactory, app_factory, instant_option
from helpline.config import ConfigError, Settings, load_settings
from helpline.database import failure_reason
from helpline.models import Call
from helpline.routing import as_local
from helpline.simulate_line import OUTCOMES


def settings_for_tools() -> Settings:
    """Load the service settings for an offline tool (no secrets needed)."""
    environ = dict(os.environ) | {"HELPLINE_ENV": "development"}
    try:
        return load_settings(environ, Path(tempfile.gettempdir()))
    except ConfigError as error:
        raise click.ClickException(f"configuration error: {error}") from None


@click.group("flows")
def flows_cli() -> None:
    """Check and test the IVR flows in ivr_flows/."""


@flows_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(files: tuple[Path, ...]) -> None:
    """Check the flows (or the given files, alongside the others); list every problem."""
    settings = settings_for_tools()
    directory = settings.flows.directory
    chosen = {path.stem: path for path in flows.loader.flow_files(directory)}
    chosen |= {path.stem: path for path in files}
    problems = flows.check(
        list(chosen.values()),
        flows.Prompts.from_settings(settings),
        settings.flows.main if not files else None,
    )
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"ok: {len(chosen)} flow(s) checked in {directory}")


@contextmanager
def simulation_app(
    build_app: AppFactory, database_url: str | None = None
) -> Iterator[tuple[Flask, str]]:
    """Yield an app on a throwaway, migrated SQLite database (or the one given) and its token."""
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="helpline-simulate-") as folder:
        environ = _simulation_environ(folder, token, database_url)
        app = build_app(environ, instance_path=folder)
        if database_url is None:
            logging.getLogger("alembic").setLevel(logging.WARNING)
            app.test_cli_runner().invoke(args=["db", "upgrade"], catch_exceptions=False)
        try:
            if database_url is not None:
                _check_database(app)
            yield app, token
        finally:
            current.writer(app).stop(timeout=None)
            current.database(app).dispose()


def _check_database(app: Flask) -> None:
    """Stop with one line, before the call, if the database given cannot take the call log."""
    try:
        with current.database(app).transaction() as session:
            session.execute(select(Call.id).limit(1))
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"cannot log to the --database-url database ({failure_reason(error)}); "
            "is it reachable, and migrated with `helpline db upgrade`?"
        ) from None


def _simulation_environ(folder: str, token: str, database_url: str | None) -> dict[str, str]:
    """Return the environment of a simulated service: its own token, database and secrets."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("HELPLINE_", "TWILIO_"))}
    environ |= {
        "HELPLINE_ENV": "testing",
        "HELPLINE_SECRET_KEY": secrets.token_hex(16),
        "TWILIO_AUTH_TOKEN": token,
        "HELPLINE_DATABASE_URL": database_url or f"sqlite:///{folder}/simulated.sqlite3",
    }
    if "HELPLINE_CONFIG" in os.environ:
        environ["HELPLINE_CONFIG"] = os.environ["HELPLINE_CONFIG"]
    return environ


@flows_cli.command("test")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def test_command(files: tuple[Path, ...]) -> None:
    """Play every scripted call in ivr_flows/tests/ and check what happened."""
    from helpline.flows import scripted
    from helpline.simulate import CallSimulator

    settings = settings_for_tools()
    paths = list(files) or sorted((settings.flows.directory / "tests").glob("*.y*ml"))
    failed, journeys = 0, []
    with simulation_app(app_factory()) as (app, token):
        simulator = CallSimulator(app, token)
        for path in paths:
            for call in _calls(path):
                result = scripted.run(simulator, call, as_local(call.at, settings.calendar))
                journeys.append(result.transcript.stored.get("ivr_path", []))
                failed += bool(result.failures)
                click.echo(f"{'FAIL' if result.failures else 'pass'}  {path.name}: {call.name}")
                for failure in result.failures:
                    click.echo(f"      {failure}")
        missing = scripted.uncovered(current.flows(app), journeys)
    for item in missing:
        click.echo(f"not covered by any scripted call: {item}")
    click.echo(f"{len(journeys)} scripted calls, {failed} failed, {len(missing)} not covered")
    if failed or missing or not journeys:
        raise SystemExit(1)


def _calls(path: Path) -> list[flows.scripted.ScriptedCall]:
    """Load a scripted test file, turning a malformed one into a clear error."""
    try:
        return flows.scripted.load_calls(path)
    except (ValueError, OSError) as error:
        raise click.ClickException(str(error)) from None


@click.command("simulate")
@click.option("--at", "at", required=True, help="ISO 8601 instant; naive means UK local time.")
@click.option(
    "--from",
    "from_",
    default="+447700900123",
    show_default=True,
    help="Caller's number; 'anonymous' for a withheld number.",
)
@click.option("--press", multiple=True, help="Keys at each menu in turn; 'none' for silence.")
@click.option(
    "--dial-outcome",
    multiple=True,
    type=click.Choice(OUTCOMES),
    help="Outcome of each dialled line in turn (default: completed, a person "
    "answers and accepts): person, machine, declined, no-answer, ...",
)
@click.option(
    "--record",
    "recordings",
    multiple=True,
    type=int,
    help="Seconds of each voicemail left (0 = silence); default 20.",
)
@click.option("--database-url", help="Log to this database instead of a throwaway one.")
def simulate_command(
    at: str,
    from_: str,
    press: tuple[str, ...],
    dial_outcome: tuple[str, ...],
    recordings: tuple[int, ...],
    database_url: str | None,
) -> None:
    """Play a call through the real webhooks, offline, and print what the caller hears."""
    from helpline.simulate import CallSimulator, Script, describe_stored

    settings = settings_for_tools()
    instant = instant_option(at, settings.calendar)
    with simulation_app(app_factory(), database_url) as (app, token):
        script = Script(list(press), list(dial_outcome), list(recordings))
        transcript = CallSimulator(app, token).call(instant, from_, script)
    click.echo(transcript.text())
    for line in describe_stored(transcript.stored, settings.calendar):
        click.echo(line)
    for problem in transcript.problems:
        click.echo(f"TwiML problem: {problem}", err=True)
    if transcript.problems:
        raise SystemExit(1)
