"""/healthz and /readyz: ready only when the database, migrations and config are all fine."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from helpline import create_app
from helpline.health import readiness_checks
from tests.conftest import config_copy, environment
from tests.tcp_proxy import TcpProxy


def test_healthz_says_the_process_is_up(client: FlaskClient) -> None:
    """Liveness needs nothing but the process."""
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client: FlaskClient) -> None:
    """Every standard check passes on a migrated database."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "config": "ok", "flows": "ok"},
    }


def test_other_modules_can_add_a_readiness_check(app: Flask, client: FlaskClient) -> None:
    """A check appended to the list (say, flows) can make the service not ready."""
    readiness_checks(app).append(("recordings", lambda app: "recording store unreachable"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "recordings: recording store unreachable"


def test_readyz_unready_when_a_flow_file_breaks(database_url: str, tmp_path: Path) -> None:
    """A flow edited into a broken state after start-up makes the service not ready."""
    flows = tmp_path / "flows"
    shutil.copytree(Path(__file__).resolve().parent.parent / "ivr_flows", flows)
    config = config_copy(tmp_path)
    config.write_text(
        config.read_text().replace(
            str(Path(__file__).resolve().parent.parent / "ivr_flows"), str(flows)
        )
    )
    app = create_app(
        environment(database_url, HELPLINE_CONFIG=str(config)), instance_path=str(tmp_path / "i")
    )
    assert app.test_client().get("/readyz").status_code == 200
    harmony = flows / "harmony.yaml"
    harmony.write_text(harmony.read_text().replace("next: hours", "next: hourz", 1))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert "flows: " in response.get_json()["reason"] and "hourz" in response.get_json()["reason"]
    app.extensions["helpline.db"].dispose()


def test_readyz_unready_when_config_file_breaks(
    database_url: str, tmp_path: Path, backend: str
) -> None:
    """A config file broken after start-up is reported before the next restart fails."""
    config = config_copy(tmp_path)
    app = create_app(environment(database_url, HELPLINE_CONFIG=str(config)),
                     instance_path=str(tmp_path / "instance"))  # fmt: skip
    config.write_text("[service\n")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"].startswith("config: ")
    app.extensions["helpline.db"].dispose()


@pytest.fixture
def proxied_app(
    database_url: str, backend: str, tmp_path: Path
) -> Iterator[tuple[Flask, TcpProxy]]:
    """Yield an app that reaches PostgreSQL only through a proxy the test can stop."""
    if backend != "postgresql":
        pytest.skip("the proxy stands in front of PostgreSQL")
    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    proxied = url.set(port=proxy.port).render_as_string(hide_password=False)
    app = create_app(environment(proxied), instance_path=str(tmp_path / "instance"))
    yield app, proxy
    proxy.stop()
    app.extensions["helpline.db"].dispose()


def test_readyz_503_when_postgresql_is_down_and_200_when_back(
    proxied_app: tuple[Flask, TcpProxy],
) -> None:
    """The database going away makes /readyz 503 with the reason; its return makes it 200."""
    app, proxy = proxied_app
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    proxy.stop()
    down = client.get("/readyz")
    assert down.status_code == 503
    assert down.get_json()["reason"].startswith("database: ")
    assert client.get("/healthz").status_code == 200
    proxy.start()
    assert client.get("/readyz").status_code == 200


def test_readyz_503_when_the_sqlite_file_is_lost_and_200_when_back(
    database_url: str, backend: str, tmp_path: Path
) -> None:
    """An SQLite database moved away (an empty one in its place) is not ready, then is again."""
    if backend != "sqlite":
        pytest.skip("moves the SQLite file")
    original = Path(make_url(database_url).database or "")
    copy = tmp_path / "helpline.sqlite3"
    shutil.copy(original, copy)
    app = create_app(environment(f"sqlite:///{copy}"), instance_path=str(tmp_path / "i"))
    client = app.test_client()
    assert client.get("/readyz").status_code == 200
    copy.rename(tmp_path / "aside.sqlite3")
    app.extensions["helpline.db"].dispose()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"].startswith("migrations: database at no revision")
    app.extensions["helpline.db"].dispose()
    copy.unlink()
    (tmp_path / "aside.sqlite3").rename(copy)
    assert client.get("/readyz").status_code == 200
    app.extensions["helpline.db"].dispose()
