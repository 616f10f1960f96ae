"""The app's database: attach one to the app, and find it again from a view, job or command."""

from __future__ import annotations

from flask import Flask

from helpline import current
from helpline.database import Database


def init_app(app: Flask, url: str) -> Database:
    """Attach a Database to the app."""
    database = Database(url)
    current.install(app, database=database)
    return database


def get_database(app: Flask | None = None) -> Database:
    """Return the current app's Database."""
    return current.database(app)
