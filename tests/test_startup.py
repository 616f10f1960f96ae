"""Start-up on the real gunicorn: a service that cannot start stops; a newcomer can sign in."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.chaos.server import children
from tests.conftest import ROOT, environment
from tests.test_concurrency import free_port, wait_until_up

GUNICORN = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.conf.py"]
APP = "helpline:create_app()"
PASSWORD = "correct horse battery staple"


def serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    """Start gunicorn exactly as the Procfile does, on a port of our own."""
    return subprocess.Popen(
        [*GUNICORN, APP], cwd=ROOT, text=True,
        env=os.environ | env | {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def helpline_lines(stderr: str) -> list[str]:
    """Return the lines of gunicorn's output that are the helpline's own start-up error."""
    return [line for line in stderr.splitlines() if "helpline: configuration error" in line]


def test_production_without_a_secret_key_stops_at_once_with_one_line(
    database_url: str, tmp_path: Path
) -> None:
    """No respawning workers: the master exits within seconds, saying why once."""
    env = environment(database_url, HELPLINE_ENV="production", HELPLINE_SECRET_KEY="")
    env["HELPLINE_INSTANCE_PATH"] = str(tmp_path)
    started = time.monotonic()
    server = serve(env, free_port())
    _, stderr = server.communicate(timeout=30)
    assert server.returncode != 0
    assert time.monotonic() - started < 15
    assert helpline_lines(stderr) == [
        "helpline: configuration error: environment: HELPLINE_SECRET_KEY: must be set in production"
    ], stderr
    assert "Traceback" not in stderr and "Booting worker" not in stderr


def test_bad_config_on_reload_halts_instead_of_respawning(
    database_url: str, tmp_path: Path
) -> None:
    """A HUP with a broken config file stops the service with the reason, not a respawn loop."""
    config = tmp_path / "helpline.toml"
    shutil.copy(ROOT / "config" / "helpline.toml", config)
    text = config.read_text().replace(
        'directory = "../ivr_flows"', f'directory = "{ROOT}/ivr_flows"'
    )
    config.write_text(text)
    env = environment(database_url, HELPLINE_CONFIG=str(config))
    env["HELPLINE_INSTANCE_PATH"] = str(tmp_path)
    port = free_port()
    server = serve(env, port)
    try:
        wait_until_up(port)
        wait_for_workers(server.pid, 2)  # both booted on the good config before it breaks
        config.write_text(text + "\n[service\n")  # a syntax error
        server.send_signal(signal.SIGHUP)
        _, stderr = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode not in (0, None)
    # One reason; a worker still loading the app when the file broke may say it once more.
    reasons = set(helpline_lines(stderr))
    assert len(reasons) == 1 and "(syntax)" in reasons.pop(), stderr


def wait_for_workers(master: int, count: int) -> None:
    """Wait until the gunicorn master has `count` worker processes."""
    deadline = time.monotonic() + 30
    while len(children(master)) < count:
        assert time.monotonic() < deadline, "gunicorn's workers did not start"
        time.sleep(0.1)


@pytest.fixture
def development_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Serve as `make run` does (development, no secret key given) with one handler account."""
    env = environment(database_url, HELPLINE_ENV="development", HELPLINE_SECRET_KEY="")
    env["HELPLINE_INSTANCE_PATH"] = str(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "helpline.cli", "users", "create", "--email", "new@example.org",
         "--name", "New Starter", "--role", "handler", "--password-stdin"],
        input=PASSWORD, text=True, cwd=ROOT, env=os.environ | env, check=True,
        capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = serve(env, port)
    try:
        wait_until_up(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert (tmp_path / "development-secret-key").stat().st_mode & 0o077 == 0


def sign_in(base: str) -> requests.Response:
    """Sign in from a fresh browser session, as a newcomer would."""
    session = requests.Session()
    form = session.get(f"{base}/login", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, form
    data = {"csrf_token": token.group(1), "email": "new@example.org", "password": PASSWORD}
    session.post(f"{base}/login", data=data, timeout=10)
    return session.get(f"{base}/calls/", timeout=10, allow_redirects=False)


def test_make_run_lets_a_newcomer_sign_in_twenty_times_in_twenty(development_server: str) -> None:
    """Both workers share the development key kept in the instance folder."""
    results = [sign_in(development_server).status_code for _ in range(20)]
    assert results == [200] * 20
