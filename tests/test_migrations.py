"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from helpline.db import get_database
from helpline.models import Base


def test_migrations_match_models(app: Flask) -> None:
    """`helpline db upgrade` leaves nothing for autogenerate to add (both databases)."""
    with get_database(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_lookup_indexes_exist(app: Flask) -> None:
    """Cases are found by number and calls by time through indexes."""
    inspector = inspect(get_database(app).engine)
    case_indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes("cases")}
    call_indexes = {tuple(ix["column_names"]) for ix in inspector.get_indexes("calls")}
    assert ("caller_number",) in case_indexes
    assert ("started_at",) in call_indexes
