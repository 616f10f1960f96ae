"""/voice/fallback: when the main webhook fails, callers are still routed, with no database."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask

from helpline import create_app
from tests.conftest import environment
from tests.seeding import uk
from tests.twilio_client import TwilioClient, dialled_numbers, incoming_params, twiml

HARMONY, SUPPORT = "+443301757258", "+448081689111"
CALLER = "+447911123456"


def closed_port() -> int:
    """Return a local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def app_without_database(tmp_path: Path) -> Iterator[Flask]:
    """An app whose PostgreSQL is stopped: nothing answers on its port."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/helpline"
    app = create_app(environment(url), instance_path=str(tmp_path), TESTING=True)
    yield app
    app.extensions["helpline.writer"].stop(timeout=0)
    app.extensions["helpline.db"].dispose()


def fallback_params(sid: str) -> dict[str, str]:
    """Return the form Twilio posts to the Voice Fallback URL after the Voice URL failed."""
    return incoming_params(sid, CALLER) | {
        "ErrorCode": "11200",
        "ErrorUrl": "https://helpline.example.org/voice/incoming",
    }


@pytest.mark.parametrize(("instant", "number"), [
    (uk(2026, 11, 24, 10, 0), HARMONY),
    (uk(2026, 11, 24, 18, 0), SUPPORT),
    (uk(2026, 12, 25, 10, 0), SUPPORT),
])  # fmt: skip
def test_fallback_routes_with_the_database_stopped(
    app_without_database: Flask, instant: datetime, number: str
) -> None:
    """In hours the Harmony line, otherwise the support line: from config alone."""
    twilio = TwilioClient(app_without_database, app_without_database.test_client())
    document = twiml(twilio.at(instant).post("/voice/fallback", fallback_params("CAfb1")))
    assert dialled_numbers(document) == [number]
    assert document.find("Dial") is not None


def test_fallback_logs_twilios_error_and_journals_the_contact(
    app_without_database: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """ErrorCode and ErrorUrl are logged; the contact waits in the journal for the database."""
    twilio = TwilioClient(app_without_database, app_without_database.test_client())
    with caplog.at_level(logging.INFO):
        twilio.at(uk(2026, 11, 24, 10, 0)).post("/voice/fallback", fallback_params("CAfb2"))
    assert any("ErrorCode=11200" in r.getMessage() and "ErrorUrl=https://helpline.example.org"
               in r.getMessage() for r in caplog.records)  # fmt: skip
    journal = app_without_database.extensions["helpline.writer"].journal
    entries = journal.waiting(owner="", settled_for=-60.0)
    assert [(e.event.kind, e.event.call_sid) for e in entries] == [("fallback", "CAfb2")]


def test_fallback_refuses_unsigned_requests(app_without_database: Flask) -> None:
    """The fallback URL is a webhook like the others: unsigned requests get 403."""
    twilio = TwilioClient(app_without_database, app_without_database.test_client())
    response = twilio.post("/voice/fallback", fallback_params("CAfb3"), signed=False)
    assert response.status_code == 403


def test_readyz_503_with_the_database_stopped(app_without_database: Flask) -> None:
    """The same stopped database makes the service not ready, with the reason."""
    response = app_without_database.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database: OperationalError"


def test_fallback_runs_the_flow_unscreened(app_without_database: Flask) -> None:
    """The fallback speaks the flow's words, 999 reminder included, and dials with no screening."""
    twilio = TwilioClient(app_without_database, app_without_database.test_client())
    params = fallback_params("CAfb4")
    document = twiml(twilio.at(uk(2026, 11, 24, 10, 0)).post("/voice/fallback", params))
    spoken = " ".join(" ".join(say.itertext()) for say in document.iter("Say"))
    assert "dial 999" in spoken and "press 1" in spoken
    numbers = list(document.iter("Number"))
    assert [n.text for n in numbers] == [HARMONY]
    assert numbers[0].get("url") is None
