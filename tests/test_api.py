"""The JSON API: bearer tokens, roles, JSON errors, calls and cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry
from tests.auth_actions import AuthActions
from tests.handler_calls import CALLER, TUESDAY_8PM, TUESDAY_10AM, case_reference, ring
from tests.twilio_client import TwilioClient

Token = Callable[[str], str]


def bearer(token: str) -> dict[str, str]:
    """Return the Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("path", ["/api/v1/calls", "/api/v1/cases/HAR-2026-00001"])
@pytest.mark.parametrize(
    "header", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}]
)
def test_api_needs_a_valid_bearer_token(
    client: FlaskClient, path: str, header: dict[str, str]
) -> None:
    response = client.get(path, headers=header)
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_calls_returns_the_export_shape_for_the_period(
    app: Flask, twilio: TwilioClient, client: FlaskClient, api_token: Token
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM.replace(day=23), "answered", talk=61)
    ring(twilio, "CA0002", CALLER, TUESDAY_8PM, "missed")
    token = api_token("handler")
    response = client.get("/api/v1/calls?since=2026-11-24&until=2026-11-24", headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert [row["call_sid"] for row in body] == ["CA0002"]
    row = body[0]
    assert row["from_number"] == CALLER and row["route_line"] == "out_of_hours"
    assert row["case_reference"] == case_reference(app, "CA0002")
    assert row["started_at"] == "2026-11-24T20:00:00Z"
    everything = client.get("/api/v1/calls", headers=bearer(token)).get_json()
    assert [row["call_sid"] for row in everything] == ["CA0001", "CA0002"]
    assert everything[0]["talk_seconds"] == 61


def test_calls_export_is_audited(app: Flask, client: FlaskClient, api_token: Token) -> None:
    client.get("/api/v1/calls?since=2026-01-01", headers=bearer(api_token("supervisor")))
    with get_database(app).transaction() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "api_calls_exported"))
        assert entry.one().actor == "supervisor@example.org"


def test_bad_dates_are_a_json_400(client: FlaskClient, api_token: Token) -> None:
    response = client.get("/api/v1/calls?since=last-tuesday", headers=bearer(api_token("admin")))
    assert response.status_code == 400 and response.get_json()["status"] == 400


def test_case_returns_calls_notes_and_flags(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered")
    reference = case_reference(app, "CA0001")
    auth.login_as("handler")
    auth.post(f"/cases/{reference}/notes", {"body": "First contact"})
    auth.post(f"/cases/{reference}/outcome", {"categories": ["noise"], "safe_to_call_back": "no"})
    response = client.get(
        f"/api/v1/cases/{reference.lower()}", headers=bearer(auth.token("handler"))
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["reference"] == reference and body["caller_number"] == CALLER
    assert [call["call_sid"] for call in body["calls"]] == ["CA0001"]
    assert body["notes"][0]["body"] == "First contact"
    assert body["categories"] == ["noise"] and body["safe_to_call_back"] is False
    assert body["safe_to_leave_message"] is None


def test_unknown_case_and_unknown_path_are_json_404s(client: FlaskClient, api_token: Token) -> None:
    token = api_token("handler")
    for path in ("/api/v1/cases/HAR-2026-99999", "/api/v1/nothing-here"):
        response = client.get(path, headers=bearer(token))
        assert response.status_code == 404 and response.is_json


def test_wrong_method_is_a_json_405(client: FlaskClient, api_token: Token) -> None:
    response = client.post("/api/v1/calls", headers=bearer(api_token("handler")))
    assert response.status_code == 405 and response.is_json


def test_volumes_are_refused_to_handlers_in_json(client: FlaskClient, api_token: Token) -> None:
    response = client.get("/api/v1/reports/volumes", headers=bearer(api_token("handler")))
    assert response.status_code == 403 and response.get_json()["status"] == 403
