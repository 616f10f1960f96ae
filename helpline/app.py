"""The application factory: a table of contents for the service."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from helpline import db
from helpline.config import ConfigError, Settings, load_settings
from helpline.models import utcnow


def create_app(
    environ: Mapping[str, str] | None = None, instance_path: str | None = None, **overrides: Any
) -> Flask:
    """Build the app from HELPLINE_* settings; a bad setting stops start-up with one clear line."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    try:
        settings = load_settings(
            os.environ if environ is None else environ, Path(app.instance_path)
        )
    except ConfigError as error:
        raise SystemExit(f"helpline: configuration error: {error}") from None
    app.config.update(SECRET_KEY=settings.secret_key, **overrides)
    app.extensions["helpline.settings"] = settings
    # The clock is swappable so tests and the simulator can place a call at any instant.
    app.extensions["helpline.clock"] = utcnow
    register_logging(app, settings)
    register_extensions(app, settings)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask, settings: Settings) -> None:
    """Send the service's logs to standard error."""
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )


def register_extensions(app: Flask, settings: Settings) -> None:
    """Attach the database, the closure cache, the contact writer and the proxy handling."""
    from helpline import auth
    from helpline.calls.writer import ContactWriter
    from helpline.closures import store
    from helpline.closures.cache import ClosureCache
    from helpline.voice import signature

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    database = db.init_app(app, settings.database_url)

    def load_closures() -> list[Any]:
        with database.transaction() as session:
            return store.current_and_future(session)

    app.extensions["helpline.closures"] = ClosureCache(
        load_closures, settings.closure_cache_seconds
    )
    journal = Path(app.instance_path) / "contact-journal.jsonl"
    app.extensions["helpline.writer"] = ContactWriter(database, journal)
    signature.init_app(app, settings)
    auth.init_app(app, settings)


def register_blueprints(app: Flask) -> None:
    """Mount the webhooks and pages."""
    from helpline import api, auth, health, voice
    from helpline.audit import views as audit_views
    from helpline.auth import admin as users_admin
    from helpline.callbacks import views as callbacks_views
    from helpline.calls import views as calls_views
    from helpline.cases import views as cases_views

    app.register_blueprint(voice.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    calls_views.init_app(app)
    cases_views.init_app(app)
    callbacks_views.init_app(app)
    audit_views.init_app(app)
    users_admin.init_app(app)
    app.register_blueprint(api.bp)
    from helpline.reports import views as report_views

    report_views.init_app(app)
    from helpline.closures import views as closure_views

    closure_views.init_app(app)


def register_error_handlers(app: Flask) -> None:
    """Answer errors outside the webhooks plainly, without a stack trace."""

    @app.errorhandler(500)
    def server_error(_error: Exception) -> tuple[str, int]:
        return "Something went wrong. The team has been told.", 500


def register_commands(app: Flask) -> None:
    """Add the helpline's CLI groups to `flask`/`helpline`."""
    from helpline.auth.cli import tokens_cli, users_cli
    from helpline.calls.cli import calls_cli
    from helpline.cli import db_cli, route_command
    from helpline.closures.cli import closures_cli

    for command in (route_command, db_cli, calls_cli, closures_cli, users_cli, tokens_cli):
        app.cli.add_command(command)
    from helpline.reports.cli import reports_cli

    app.cli.add_command(reports_cli)
