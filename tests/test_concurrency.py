"""Simultaneous first calls from one number converge on ONE case (PostgreSQL, real concurrency)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select

from helpline.calls.events import ContactEvent
from helpline.calls.journal import Journal
from helpline.calls.writer import ContactWriter
from helpline.database import Database
from helpline.db import get_database
from helpline.models import Call, Case
from tests.conftest import ROOT, environment
from tests.twilio_client import TEST_AUTH_TOKEN, TwilioClient, incoming_params

CALLER = "+447911000111"


@pytest.fixture
def postgres_app(app: Flask, backend: str) -> Flask:
    """Run only on PostgreSQL, where transactions really run side by side."""
    if backend != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; SQLite serialises writers")
    return app


def test_racing_writers_open_one_case(
    postgres_app: Flask, database_url: str, tmp_path: Path
) -> None:
    """Eight writers (as eight worker processes would) record first calls at the same instant."""
    writers = [
        ContactWriter(Database(database_url), Journal(tmp_path / f"j{i}.sqlite3"), "HAR")
        for i in range(8)
    ]
    start = threading.Barrier(len(writers))

    def first_call(index: int) -> bool:
        event = ContactEvent(
            kind="incoming", call_sid=f"CA-race-{index}", received_at=datetime.now(UTC),
            params=incoming_params(f"CA-race-{index}", CALLER), route={"open": True},
        )  # fmt: skip
        writers[index].journal.append(event, writers[index].owner)
        start.wait()
        return writers[index].drain() == 0

    with ThreadPoolExecutor(len(writers)) as pool:
        assert all(pool.map(first_call, range(len(writers))))
    with get_database(postgres_app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.scalar(select(func.count(func.distinct(Call.case_id)))) == 1
        assert session.scalar(select(func.count()).select_from(Call)) == 8
    for writer in writers:
        writer.database.dispose()
    assert not any(writer.journaled_count() for writer in writers)


def free_port() -> int:
    """Return a TCP port nobody is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_concurrent_requests_to_gunicorn_workers(
    postgres_app: Flask, database_url: str, tmp_path: Path
) -> None:
    """Signed webhooks posted at once to four gunicorn worker processes end in one case."""
    port = free_port()
    env = os.environ | environment(database_url) | {"HELPLINE_ENV": "testing"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
         "--chdir", str(ROOT), "helpline:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        wait_until_up(port)
        signer = TwilioClient(postgres_app, postgres_app.test_client(), TEST_AUTH_TOKEN)
        with ThreadPoolExecutor(12) as pool:
            codes = list(pool.map(lambda i: post(port, signer, f"CA-gunicorn-{i}"), range(12)))
        assert codes == [200] * 12
        wait_for_calls(postgres_app, 12)
    finally:
        server.terminate()
        server.wait(timeout=20)
    with get_database(postgres_app).transaction() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def post(port: int, signer: TwilioClient, sid: str) -> int:
    """POST one signed incoming webhook to the live server."""
    url = f"http://127.0.0.1:{port}/voice/incoming"
    params = incoming_params(sid, CALLER)
    request = urllib.request.Request(
        url,
        data=urlencode(params).encode(),
        headers={"X-Twilio-Signature": signer.sign(url, params)},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return int(response.status)


def wait_until_up(port: int) -> None:
    """Wait for the server's liveness probe."""
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


def wait_for_calls(app: Flask, expected: int) -> None:
    """Wait for the workers' background writers to record every call."""
    for _ in range(100):
        with get_database(app).transaction() as session:
            if session.scalar(select(func.count()).select_from(Call)) == expected:
                return
        time.sleep(0.1)
    raise AssertionError("calls were not all recorded")
