"""The app's database: attach one to the app, and find it again from a view, job or command."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.exc import ArgumentError

from helpline import current
from helpline.config import ConfigError
from helpline.database import Database


def init_app(app: Flask, url: str) -> Database:
    """Attach a Database to the app; raise ConfigError if the URL names no usable database."""
    try:
        database = Database(url)
    except (ArgumentError, ImportError) as error:  # unparseable, or a dialect not installed
        raise ConfigError(
            "environment", "HELPLINE_DATABASE_URL", f"cannot be used: {error}"
        ) from None
    current.install(app, database=database)
    return database


def get_database(app: Flask | None = None) -> Database:
    """Return the current app's Database."""
    return current.database(app)
