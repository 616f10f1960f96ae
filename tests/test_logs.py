"""Structured logs: request id and CallSid on every line, JSON in production, no numbers."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from helpline import create_app
from helpline.logs import JsonFormatter, TextFormatter, make_handler, redact
from tests.conftest import environment
from tests.twilio_client import TwilioClient, incoming_params

CALL_SID = "CA0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("number", [
    "+447911123456", "07911 123456", "0330 1757 258", "(01785) 123456", "+44 7911 123-456",
    "00447911123456", "08081 689111",
])  # fmt: skip
def test_phone_numbers_are_redacted(number: str) -> None:
    """Anything shaped like a UK or E.164 number is replaced."""
    assert redact(f"caller {number} rang") == "caller [number] rang"


@pytest.mark.parametrize("text", [
    f"call {CALL_SID} completed", "2026-11-24 14:29:23,083 INFO", "talked for 450 seconds",
    "request 4f7c2a9e0b6d4e1f8a3b5c7d9e0f1a2b", "2026-11-24T14:29:23+00:00",
    "recording RE77777777777777777777777777777777",
])  # fmt: skip
def test_ids_dates_and_durations_are_kept(text: str) -> None:
    """CallSids, timestamps and counts are not mistaken for numbers."""
    assert redact(text) == text


@pytest.fixture
def json_log(app: Flask) -> Iterator[io.StringIO]:
    """Capture the root logger's output through a production (JSON) handler."""
    stream = io.StringIO()
    handler = make_handler(json_lines=True, stream=stream)
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, str]]:
    """Return every JSON log line written."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_webhook_lines_carry_request_id_and_call_sid(app: Flask, json_log: io.StringIO) -> None:
    """A rejected webhook's log line names its request id and CallSid, never the caller."""
    client = app.test_client()
    response = client.post(
        "/voice/incoming", data=incoming_params(CALL_SID, "+447911123456"),
        headers={"X-Request-Id": "req-42"},
    )  # fmt: skip
    assert response.status_code == 403
    assert response.headers["X-Request-Id"] == "req-42"
    [entry] = [e for e in lines(json_log) if "rejected webhook" in e["message"]]
    assert (entry["request_id"], entry["call_sid"], entry["level"]) == (
        "req-42",
        CALL_SID,
        "WARNING",
    )
    assert "+447911123456" not in json_log.getvalue()


def test_numbers_in_log_arguments_are_redacted(app: Flask, json_log: io.StringIO) -> None:
    """A careless log call with a number in its arguments is caught by the safety net."""
    with app.test_request_context("/voice/status", method="POST", data={"CallSid": CALL_SID}):
        logging.getLogger("helpline.test").warning("callback to %s failed", "07911 123456")
    [entry] = [e for e in lines(json_log) if e["logger"] == "helpline.test"]
    assert entry["message"] == "callback to [number] failed"
    assert entry["call_sid"] == CALL_SID


def test_exceptions_are_logged_redacted(app: Flask, json_log: io.StringIO) -> None:
    """A traceback mentioning a number is redacted too."""
    try:
        raise ValueError("bad number +447911123456")
    except ValueError:
        logging.getLogger("helpline.test").exception("failed")
    [entry] = [e for e in lines(json_log) if e["logger"] == "helpline.test"]
    assert "[number]" in entry["exception"] and "+447911123456" not in entry["exception"]
    assert (entry["request_id"], entry["call_sid"]) == ("-", "-")


def test_bad_request_ids_are_replaced(twilio: TwilioClient) -> None:
    """A request id that could forge log lines is replaced by a fresh one."""
    response = twilio.client.get("/healthz", headers={"X-Request-Id": 'x {evil} "forged"'})
    assert response.headers["X-Request-Id"] != 'x {evil} "forged"'
    assert len(response.headers["X-Request-Id"]) == 32


def test_production_logs_json_and_development_text(database_url: str, tmp_path: Path) -> None:
    """The environment picks the format of the one handler the service installs."""
    root = logging.getLogger()
    ours = [h for h in root.handlers if h.get_name() == "helpline"]
    for handler in ours:
        root.removeHandler(handler)
    try:
        for env, formatter in (("production", JsonFormatter), ("development", TextFormatter)):
            app = create_app(environment(database_url, HELPLINE_ENV=env),
                             instance_path=str(tmp_path / env))  # fmt: skip
            [handler] = [h for h in root.handlers if h.get_name() == "helpline"]
            assert isinstance(handler.formatter, formatter)
            root.removeHandler(handler)
            app.extensions["helpline.db"].dispose()
    finally:
        for handler in ours:
            root.addHandler(handler)


def test_a_forged_call_sid_is_not_written(app: Flask, json_log: io.StringIO) -> None:
    """Only a CallSid-shaped value reaches the log; anything else is '-'."""
    params = incoming_params("CA1 +447911123456 evil", "+447911123456")
    app.test_client().post("/voice/incoming", data=params)
    [entry] = [e for e in lines(json_log) if "rejected webhook" in e["message"]]
    assert entry["call_sid"] == "-"
