"""Fixtures: every database test runs on SQLite and on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from helpline import create_app
from helpline.models import Base
from tests.twilio_client import TEST_AUTH_TOKEN, TwilioClient

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get(
    "HELPLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")

pytest_plugins = ["tests.auth_actions"]


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Yield a migrated, empty database URL for this run, on each backend in turn."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpline.sqlite3'}"
        migrate(url)
        yield url
        return
    yield from _fresh_postgres()


def _fresh_postgres() -> Iterator[str]:
    """Create a throwaway PostgreSQL database for this run; fail loudly if we cannot."""
    name = f"helpline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        pytest.fail(f"PostgreSQL is required for the test suite ({POSTGRES_ADMIN_URL}): {error}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrate(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def migrate(url: str) -> None:
    """Apply the Alembic migrations, as `helpline db upgrade` does."""
    app = create_app(environment(url))
    app.test_cli_runner().invoke(args=["db", "upgrade"], catch_exceptions=False)
    app.extensions["helpline.db"].dispose()


def environment(url: str, **extra: str) -> dict[str, str]:
    """Return the environment a test app starts with."""
    return {
        "HELPLINE_ENV": "testing",
        "HELPLINE_CONFIG": str(ROOT / "config" / "helpline.toml"),
        "HELPLINE_DATABASE_URL": url,
        "HELPLINE_SECRET_KEY": "test-secret-key",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
    } | extra


@pytest.fixture
def backend(database_url: str) -> str:
    """Return the name of the database the test runs on."""
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """Yield an app on an empty database, with its instance folder in tmp_path."""
    app = create_app(environment(database_url), instance_path=str(tmp_path), TESTING=True)
    yield app
    app.extensions["helpline.writer"].stop(timeout=None)
    empty_tables(app)
    app.extensions["helpline.db"].dispose()


def empty_tables(app: Flask) -> None:
    """Delete every row so the next test starts clean."""
    database = app.extensions["helpline.db"]
    with database.transaction() as session:
        if database.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a CLI runner for the app's commands."""
    return app.test_cli_runner()


@pytest.fixture
def twilio(app: Flask, client: FlaskClient) -> TwilioClient:
    """Return a client that posts webhooks signed exactly as Twilio signs them."""
    return TwilioClient(app, client)


def config_copy(folder: Path) -> Path:
    """Write a copy of the real config into folder, still pointing at the real flows."""
    text = (ROOT / "config" / "helpline.toml").read_text()
    flows = ROOT / "ivr_flows"
    copy = folder / "helpline.toml"
    copy.write_text(text.replace('directory = "../ivr_flows"', f'directory = "{flows}"'))
    return copy
