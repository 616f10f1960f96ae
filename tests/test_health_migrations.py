"""The schema the migrations build is the schema the models describe, and 0004 reverts cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask import Flask

from helpline import create_app
from helpline.migrations.cli import alembic_config
from helpline.models import Base
from tests.conftest import environment


def test_migrated_schema_matches_the_models(app: Flask) -> None:
    """Autogenerate finds nothing to add: no model change lacks a migration."""
    with app.extensions["helpline.db"].engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_ops_migration_downgrades_and_upgrades(backend: str, tmp_path: Path) -> None:
    """0004_ops can be undone to the foundation and applied again (SQLite batch mode)."""
    if backend != "sqlite":
        return
    app = create_app(
        environment(f"sqlite:///{tmp_path / 'm.sqlite3'}"), instance_path=str(tmp_path)
    )
    with app.app_context():
        config = alembic_config()
        command.upgrade(config, "heads")
        command.downgrade(config, "0001_foundation")
        command.upgrade(config, "heads")
    response = app.test_client().get("/readyz")
    assert response.get_json()["checks"]["migrations"] == "ok"
    app.extensions["helpline.db"].dispose()
