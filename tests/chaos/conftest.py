"""Fixtures for the chaos suite: a per-test environment, journal and gunicorn, always cleaned up."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.chaos.harness import Chaos
from tests.chaos.server import Gunicorn, free_port
from tests.conftest import environment
from tests.twilio_driver import PUBLIC_BASE_URL


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest, backend: str) -> None:
    """Skip tests marked postgres_only on SQLite."""
    if request.node.get_closest_marker("postgres_only") and backend != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def chaos_env(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Return the environment of a production web process, with a journal of this test's own."""
    journal = tmp_path / "journal" / "contact-journal.jsonl"
    journal.parent.mkdir()
    return os.environ | environment(database_url) | {
        "HELPLINE_ENV": "production",
        "HELPLINE_JOURNAL": str(journal),
        "HELPLINE_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "2",
        # gunicorn's control socket defaults to one per user: give each test its own.
        "GUNICORN_CMD_ARGS": f"--control-socket {tmp_path / 'gunicorn.ctl'}",
    }  # fmt: skip


@pytest.fixture
def chaos(
    chaos_env: dict[str, str], database_url: str, tmp_path: Path, app: Flask
) -> Iterator[Chaos]:
    """Yield a stopped gunicorn and its helpers; kill whatever is left at the end.

    Taking `app` empties the shared database after the test, so no later test sees its calls.
    """
    server = Gunicorn(chaos_env, tmp_path / "gunicorn.log")
    # Calls of this test only: the database is shared by the whole session.
    prefix = uuid.uuid4().hex[:10]
    try:
        yield Chaos(chaos_env, server, prefix, database_url)
    finally:
        server.kill_all()
