"""The case page: timeline, notes, outcome and safety flags, assignment, status, audit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry, Call, CallbackRequest, CaseDetail, User
from tests.auth_actions import AuthActions
from tests.casework import case_page
from tests.handler_calls import CALLER, TUESDAY_8PM, TUESDAY_10AM, case_reference, ring
from tests.twilio_client import TwilioClient


def audit_actions(app: Flask) -> list[tuple[str, str, str]]:
    """Return every audit entry as (actor, action, target)."""
    with get_database(app).transaction() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target))
        return [tuple(row) for row in rows]  # type: ignore[misc]


def open_case(app: Flask, twilio: TwilioClient) -> str:
    """Drive two calls from one caller in and return their case's reference."""
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "answered", talk=125)
    ring(twilio, "CA0002", CALLER, TUESDAY_8PM, "missed")
    return case_reference(app, "CA0001")


@pytest.fixture
def reference(app: Flask, twilio: TwilioClient, auth: AuthActions) -> str:
    """Open the two-call case, sign in as a handler and return the case's reference."""
    case = open_case(app, twilio)
    auth.login_as("handler")
    return case


def test_case_page_shows_timeline_full_number_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions, reference: str
) -> None:
    email = auth.user("handler")
    page = case_page(client, reference)
    assert CALLER in page
    assert 'id="call-CA0001"' in page and 'id="call-CA0002"' in page
    assert "Call answered by the Harmony line" in page and "talked 2:05" in page
    assert "connect_harmony" not in page and "Hours: open" in page
    # Newest first: the evening call comes before the morning one.
    assert page.index('id="call-CA0002"') < page.index('id="call-CA0001"')
    assert (email, "case_viewed", reference) in audit_actions(app)


def test_unknown_case_is_404(client: FlaskClient, login_as: Callable[[str], str]) -> None:
    login_as("handler")
    assert client.get("/cases/HAR-2026-99999").status_code == 404


def test_add_note_shows_it_with_author_and_refuses_empty_notes(
    app: Flask, client: FlaskClient, auth: AuthActions, reference: str
) -> None:
    email = auth.user("handler")
    response = auth.post(f"/cases/{reference}/notes", {"body": "Caller reports loud music <b>"})
    assert response.status_code == 302
    page = case_page(client, reference)
    assert "Caller reports loud music &lt;b&gt;" in page
    assert "Test Handler ·" in page and email not in page  # names, never emails
    auth.post(f"/cases/{reference}/notes", {"body": "Line one\nLine <two>"})
    assert "Line one<br>Line &lt;two&gt;" in case_page(client, reference)
    auth.post(f"/cases/{reference}/notes", {"body": "   "})
    assert "A note cannot be empty." in case_page(client, reference)
    assert (email, "note_added", reference) in audit_actions(app)


def test_forms_without_csrf_token_are_refused(client: FlaskClient, reference: str) -> None:
    assert client.post(f"/cases/{reference}/notes", data={"body": "x"}).status_code == 400


def test_outcome_and_safety_flags_are_saved_and_shown_prominently(
    app: Flask, client: FlaskClient, auth: AuthActions, reference: str
) -> None:
    page = case_page(client, reference)
    assert page.count("Not known — ask first") == 2
    auth.post(f"/cases/{reference}/outcome", {
        "categories": ["noise", "harassment", "made-up"], "referrals": ["mediation"],
        "community_trigger": "yes", "safe_to_call_back": "no", "safe_to_leave_message": "yes",
    })  # fmt: skip
    with get_database(app).transaction() as session:
        detail = session.scalars(select(CaseDetail)).one()
        assert detail.categories == ["noise", "harassment"]
        assert detail.referrals == ["mediation"] and detail.community_trigger
        assert detail.safe_to_call_back is False and detail.safe_to_leave_message is True
    page = case_page(client, reference)
    assert "NO — do not call" in page and "Community Trigger" in page


def test_assign_to_a_member_of_staff(
    app: Flask, client: FlaskClient, auth: AuthActions, reference: str
) -> None:
    colleague = auth.user("supervisor")
    with get_database(app).transaction() as session:
        colleague_id = session.scalars(select(User.id).where(User.email == colleague)).one()
    auth.post(f"/cases/{reference}/assign", {"user_id": str(colleague_id)})
    with get_database(app).transaction() as session:
        assert session.scalars(select(CaseDetail.assigned_to_id)).one() == colleague_id
    auth.post(f"/cases/{reference}/assign", {"user_id": "999999"})
    assert "cannot be assigned" in case_page(client, reference)


def test_close_and_reopen(client: FlaskClient, auth: AuthActions, reference: str) -> None:
    auth.post(f"/cases/{reference}/status", {"status": "closed"})
    assert f'Case {reference} <span class="muted">(closed)' in case_page(client, reference)
    auth.post(f"/cases/{reference}/status", {"status": "open"})
    assert "(open)" in case_page(client, reference)


def test_reopen_is_refused_while_the_caller_has_another_open_case(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions, reference: str
) -> None:
    auth.post(f"/cases/{reference}/status", {"status": "closed"})
    ring(twilio, "CA0003", CALLER, TUESDAY_10AM.replace(day=25), "answered")
    assert case_reference(app, "CA0003") != reference
    auth.login_as("handler")  # the clock moved a day on: the idle session has ended
    auth.post(f"/cases/{reference}/status", {"status": "open"})
    page = case_page(client, reference)
    assert "already has an open case" in page and "(closed)" in page


def test_flags_fall_back_to_the_consent_given_with_a_callback_request(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    reference = open_case(app, twilio)
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == "CA0002")).one()
        assert call.case_id is not None
        session.add(CallbackRequest(case_id=call.case_id, call_id=call.id, number=CALLER,
                                    safe_to_call=True, may_leave_message=False,
                                    requested_at=call.started_at))  # fmt: skip
    auth.login_as("handler")
    page = case_page(client, reference)
    assert "NO — no messages" in page and page.count("as the caller said on") == 2
    auth.post(f"/cases/{reference}/outcome", {"safe_to_call_back": "no"})
    page = case_page(client, reference)
    assert "NO — do not call" in page and page.count("as the caller said on") == 1
