"""Alembic environment: run migrations on the app's own engine."""

from __future__ import annotations

from alembic import context

from helpline.models import Base

database = context.config.attributes["database"]


def run_migrations() -> None:
    """Run migrations in one transaction on the app's database."""
    with database.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
