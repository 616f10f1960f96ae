"""Liveness and readiness probes; other modules may add readiness checks of their own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app
from sqlalchemy import inspect, text

from helpline import current
from helpline.config import ConfigError, load_settings
from helpline.db import get_database

bp = Blueprint("health", __name__)

MIGRATIONS = Path(__file__).parent / "migrations"
# A check returns None when fine or a short reason when not; it may also raise.
ReadinessCheck = Callable[[Flask], str | None]
CHECKS_EXTENSION = "helpline.readiness_checks"


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Say the process is up."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, object], int]:
    """Run every readiness check; 503 with the first failing reason when any fails."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    results = {name: _outcome(check, app) for name, check in readiness_checks(app)}
    failed = [f"{name}: {result}" for name, result in results.items() if result != "ok"]
    if failed:
        return {"status": "unavailable", "reason": failed[0], "checks": results}, 503
    return {"status": "ready", "checks": results}, 200


def _outcome(check: ReadinessCheck, app: Flask) -> str:
    """Return 'ok' or why the check failed; an exception is a failure, never a 500."""
    try:
        return check(app) or "ok"
    except Exception as error:  # any failure means not ready
        return type(error).__name__


def readiness_checks(app: Flask) -> list[tuple[str, ReadinessCheck]]:
    """Return the app's readiness checks; append (name, check) to add one."""
    checks: list[tuple[str, ReadinessCheck]] = app.extensions[CHECKS_EXTENSION]
    return checks


def init_app(app: Flask, environ: Mapping[str, str]) -> None:
    """Install the standard checks: database, migrations, config."""
    heads = frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())
    app.extensions[CHECKS_EXTENSION] = [
        ("database", database_answers),
        ("migrations", lambda app: migrations_at(app, heads)),
        ("config", lambda app: config_loads(app, dict(environ))),
        ("flows", flows_load),
    ]


def database_answers(app: Flask) -> str | None:
    """Check the database answers a trivial query."""
    with get_database(app).transaction() as session:
        session.execute(text("SELECT 1"))
    return None


def migrations_at(app: Flask, heads: frozenset[str]) -> str | None:
    """Check the database is migrated to every head revision of the code."""
    with get_database(app).transaction() as session:
        # Read alembic_version directly: MigrationContext would log twice on every probe.
        has_table = inspect(session.connection()).has_table("alembic_version")
        query = text("SELECT version_num FROM alembic_version")
        current = frozenset(session.scalars(query)) if has_table else frozenset()
    if current != heads:
        return f"database at {sorted(current) or 'no revision'}, code at {sorted(heads)}"
    return None


def config_loads(app: Flask, environ: Mapping[str, str]) -> str | None:
    """Check the config file on disk still loads, so the next restart will succeed."""
    try:
        load_settings(environ, Path(app.instance_path))
    except ConfigError as error:
        return str(error)
    return None


def flows_load(app: Flask) -> str | None:
    """Check the flow files on disk still pass `helpline flows check`, so a restart will work."""
    from helpline import flows

    settings = current.settings(app)
    paths = flows.loader.flow_files(settings.flows.directory)
    problems = flows.check(paths, current.prompts(app), settings.flows.main)
    return str(problems[0]) if problems else None
