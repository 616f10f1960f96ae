"""The audit log page: admins see who did what; nobody else sees it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.auth_actions import AuthActions
from tests.handler_calls import CALLER, TUESDAY_10AM, case_reference, ring
from tests.twilio_client import TwilioClient


def test_admin_sees_views_changes_and_sign_ins(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM)
    reference = case_reference(app, "CA0001")
    auth.login_as("handler")
    client.get(f"/cases/{reference}")
    auth.post(f"/cases/{reference}/notes", {"body": "hello"})
    auth.logout()
    auth.login_as("admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    for action in ("case_viewed", "note_added", "login", "logout"):
        assert f"<td>{action}</td>" in page
    assert "handler@example.org" in page
    filtered = client.get(f"/admin/audit/?action=note_added&target={reference}")
    text = filtered.get_data(as_text=True)
    assert text.count('class="audit-entry"') == 1


def test_audit_page_is_for_admins_only(client: FlaskClient, auth: AuthActions) -> None:
    auth.login_as("supervisor")
    assert client.get("/admin/audit/").status_code == 403
