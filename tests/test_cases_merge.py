"""Moving a call between cases and merging cases, with the history of both kept."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import Call, Case, CaseChange, CaseNote
from tests.auth_actions import AuthActions
from tests.handler_calls import CALLER, OTHER_CALLER, TUESDAY_10AM, case_reference, ring
from tests.twilio_client import TwilioClient


def two_cases(app: Flask, twilio: TwilioClient) -> tuple[str, str]:
    """Drive calls from two callers and return their case references."""
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM)
    ring(twilio, "CA0002", CALLER, TUESDAY_10AM.replace(hour=12))
    ring(twilio, "CA0003", OTHER_CALLER, TUESDAY_10AM.replace(hour=13))
    return case_reference(app, "CA0001"), case_reference(app, "CA0003")


def history(app: Flask, reference: str) -> list[tuple[str, str]]:
    """Return a case's history entries as (kind, detail)."""
    with get_database(app).transaction() as session:
        query = select(CaseChange.kind, CaseChange.detail).join(Case).where(
            Case.reference == reference)  # fmt: skip
        return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def test_move_call_to_another_case_records_both_sides(
    app: Flask, twilio: TwilioClient, auth: AuthActions
) -> None:
    first, second = two_cases(app, twilio)
    auth.login_as("handler")
    auth.post(f"/cases/{first}/move-call", {"call_sid": "CA0002", "target": second.lower()})
    assert case_reference(app, "CA0002") == second
    assert case_reference(app, "CA0001") == first
    assert ("call_moved_out", f"CA0002 to {second}") in history(app, first)
    assert ("call_moved_in", f"CA0002 from {first}") in history(app, second)


def test_move_refuses_unknown_case_and_foreign_call(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    first, second = two_cases(app, twilio)
    auth.login_as("handler")
    auth.post(f"/cases/{first}/move-call", {"call_sid": "CA0002", "target": "HAR-1999-00001"})
    assert "There is no case HAR-1999-00001" in client.get(f"/cases/{first}").get_data(True)
    auth.post(f"/cases/{first}/move-call", {"call_sid": "CA0003", "target": second})
    assert "That call is not on this case" in client.get(f"/cases/{first}").get_data(True)
    assert case_reference(app, "CA0002") == first


def test_merge_moves_calls_and_notes_and_keeps_history(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    first, second = two_cases(app, twilio)
    auth.login_as("handler")
    auth.post(f"/cases/{second}/notes", {"body": "Neighbour dispute over parking"})
    auth.post(f"/cases/{second}/merge", {"target": first})
    with get_database(app).transaction() as session:
        kept = session.scalars(select(Case).where(Case.reference == first)).one()
        gone = session.scalars(select(Case).where(Case.reference == second)).one()
        sids = session.scalars(select(Call.call_sid).where(Call.case_id == kept.id)).all()
        notes = session.scalars(select(CaseNote.case_id)).all()
        assert gone.status == "merged" and gone.closed_at is not None
    assert sorted(sids) == ["CA0001", "CA0002", "CA0003"] and notes == [kept.id]
    assert ("merged_into", first) in history(app, second)
    assert ("merged_from", second) in history(app, first)
    page = client.get(f"/cases/{second}").get_data(as_text=True)
    assert "This case was merged into" in page


def test_merge_refuses_itself_and_merged_cases(
    app: Flask, twilio: TwilioClient, client: FlaskClient, auth: AuthActions
) -> None:
    first, second = two_cases(app, twilio)
    ring(twilio, "CA0004", "+447700900999", TUESDAY_10AM.replace(hour=13, minute=30))
    third = case_reference(app, "CA0004")
    auth.login_as("handler")
    auth.post(f"/cases/{first}/merge", {"target": first})
    assert "Choose a different case" in client.get(f"/cases/{first}").get_data(True)
    auth.post(f"/cases/{second}/merge", {"target": first})
    auth.post(f"/cases/{third}/merge", {"target": second})
    assert "was itself merged" in client.get(f"/cases/{third}").get_data(True)
    auth.post(f"/cases/{second}/status", {"status": "open"})
    assert "was merged into another" in client.get(f"/cases/{second}").get_data(True)
