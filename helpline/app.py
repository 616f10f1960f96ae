"""The application factory: a table of contents for the service."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from helpline import current, db
from helpline.config import ConfigError, Settings, load_settings
from helpline.models import utcnow

# The staff pages in the navigation, in the order shown: label, endpoint, the least role.
NAVIGATION = (
    ("Calls", "calls.index", "handler"),
    ("Callbacks", "callbacks.index", "handler"),
    ("Audit log", "audit.index", "admin"),
    ("Users", "users.index", "admin"),
    ("Dashboard", "reports.dashboard", "supervisor"),
    ("Commissioner's report", "reports.commissioner", "supervisor"),
    ("Closures", "closures.index", "supervisor"),
)


def create_app(
    environ: Mapping[str, str] | None = None,
    instance_path: str | None = None,
    serving: bool = True,
    **overrides: Any,
) -> Flask:
    """Build the app from HELPLINE_* settings; a bad setting stops start-up with one clear line."""
    environ = os.environ if environ is None else environ
    # HELPLINE_INSTANCE_PATH puts the instance folder (SQLite file, journal, development key)
    # on a disk of the deployer's choosing; Flask wants it absolute.
    instance = instance_path or environ.get("HELPLINE_INSTANCE_PATH", "").strip()
    app = Flask(
        __name__,
        instance_path=str(Path(instance).resolve()) if instance else None,
        instance_relative_config=True,
    )
    try:
        settings = load_settings(environ, Path(app.instance_path), serving)
    except ConfigError as error:
        raise stop_starting(error) from None
    app.config.update(SECRET_KEY=settings.secret_key, **overrides)
    current.install(app, settings=settings)
    # The clock is swappable so tests and the simulator can place a call at any instant.
    current.install(app, clock=utcnow)
    register_logging(app, settings)
    register_extensions(app, settings)
    register_flows(app, settings)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_operations(app, environ)
    if serving:
        warn_of_gaps(app, settings)
    return app


def stop_starting(error: ConfigError) -> SystemExit:
    """Return the one line that stops start-up on a bad setting, without a traceback."""
    return SystemExit(f"helpline: configuration error: {error}")


def register_logging(app: Flask, settings: Settings) -> None:
    """Send the service's logs to standard error: JSON in production, never a phone number."""
    from helpline import logs

    logs.init_app(app, settings)


def register_extensions(app: Flask, settings: Settings) -> None:
    """Attach the database, the closure cache, the contact writer and the proxy handling."""
    from helpline import auth
    from helpline.calls.journal import Journal
    from helpline.calls.writer import ContactWriter
    from helpline.closures import store
    from helpline.closures.cache import ClosureCache
    from helpline.twilio import signatures

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    try:
        database = db.init_app(app, settings.database_url)
    except ConfigError as error:
        raise stop_starting(error) from None

    def load_closures() -> list[Any]:
        with database.transaction() as session:
            return store.current_and_future(session, current.now(app))

    closures = ClosureCache(load_closures, settings.closure_cache_seconds)
    writer = ContactWriter(database, Journal(settings.journal_path), settings.reference_prefix)
    current.install(app, closures=closures, writer=writer)
    signatures.init_app(app, settings)
    auth.init_app(app, settings)


def warn_of_gaps(app: Flask, settings: Settings) -> None:
    """When serving (not for a command), say what would stop callers or staff getting through."""
    from helpline.auth.session import hint_when_no_users
    from helpline.twilio import signatures

    signatures.warn_if_unguarded(settings)
    hint_when_no_users(app)


def register_flows(app: Flask, settings: Settings) -> None:
    """Load and check the IVR flows once; an invalid flow stops start-up with one clear line."""
    from helpline import flows

    prompts = flows.Prompts.from_settings(settings)
    try:
        loaded = flows.load(settings.flows.directory, settings.flows.main, prompts)
    except flows.FlowError as error:
        more = len(error.problems) - 1
        extra = f" (and {more} more: run `helpline flows check`)" if more > 0 else ""
        raise SystemExit(f"helpline: flow error: {error}{extra}") from None
    current.install(app, flows=loaded, prompts=prompts)


def register_blueprints(app: Flask) -> None:
    """Mount the webhooks, the pages and the API, and list the staff pages in the navigation."""
    from helpline import api, auth, health, voice
    from helpline.audit import views as audit_views
    from helpline.auth import admin as users_admin
    from helpline.callbacks import views as callbacks_views
    from helpline.calls import views as calls_views
    from helpline.cases import views as cases_views
    from helpline.closures import views as closures_views
    from helpline.reports import api as reports_api
    from helpline.reports import views as reports_views

    blueprints = (
        voice.bp,
        health.bp,
        auth.bp,
        calls_views.bp,
        cases_views.bp,
        callbacks_views.bp,
        audit_views.bp,
        users_admin.bp,
        api.bp,
        reports_views.bp,
        reports_api.bp,
        closures_views.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    navigation = current.navigation(app)
    for label, endpoint, role in NAVIGATION:
        navigation.add_link(label, endpoint, role)
    navigation.add_badge("callbacks.index", callbacks_views.owed_badge)


def register_error_handlers(app: Flask) -> None:
    """Answer errors outside the webhooks plainly, without a stack trace."""
    from helpline import errors

    for status in errors.CLIENT_ERRORS:
        app.register_error_handler(status, errors.client_error)
    app.register_error_handler(500, errors.server_error)


def register_commands(app: Flask) -> None:
    """Add the commands that run inside the app to `helpline` (commands.py lists them all)."""
    from helpline.commands import APP_COMMANDS

    for command in APP_COMMANDS:
        app.cli.add_command(command)


def register_operations(app: Flask, environ: Mapping[str, str]) -> None:
    """Add the scheduled jobs and the readiness checks."""
    from helpline import health
    from helpline.jobs import registry

    registry.init_app(app)
    health.init_app(app, environ)
