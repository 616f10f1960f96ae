"""Retention: personal data past the period goes, past volume figures stay exactly the same."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.jobs.volumes import volumes
from helpline.models import Call, CallbackRequest, CallEvent, Case, JobRun, Voicemail
from helpline.twilio.client import HTTP_CLIENT_EXTENSION
from tests.seeding import make_call, uk
from tests.twilio_client import TwilioClient
from tests.twilio_http import ExactTwilioHttp

ALICE, BOB, CAROL, DAVE = "+447911100001", "+447911100002", "+447911100003", "+447911100004"
NOW = uk(2026, 11, 24, 12, 0)
RECORDING = "RE" + "7" * 32


@pytest.fixture
def seeded(app: Flask, twilio: TwilioClient) -> Flask:
    """Seed old calls (2024), a recent one, a held case, a callback and a voicemail."""
    make_call(twilio, "CAold1", ALICE, uk(2024, 3, 5, 10, 0))
    make_call(twilio, "CAold2", BOB, uk(2024, 3, 5, 20, 0), outcome="no-answer")
    make_call(twilio, "CAold3", ALICE, uk(2024, 3, 6, 11, 0), outcome="busy")
    make_call(twilio, "CAheld", DAVE, uk(2024, 3, 7, 10, 0))
    make_call(twilio, "CArecent", CAROL, uk(2026, 11, 20, 10, 0))
    with get_database(app).transaction() as session:
        calls = {c.call_sid: c for c in session.scalars(select(Call))}
        session.get_one(Case, calls["CAheld"].case_id).legal_hold = True
        session.add(CallbackRequest(
            case_id=calls["CAold1"].case_id, call_id=calls["CAold1"].id, number=ALICE,
            requested_at=uk(2024, 3, 5, 10, 5), status="done", outcome="Spoke to her",
        ))  # fmt: skip
        session.add(Voicemail(
            call_id=calls["CAold2"].id, case_id=calls["CAold2"].case_id,
            recording_sid=RECORDING, recording_url=f"https://api.twilio.com/x/{RECORDING}",
            created_at=uk(2024, 3, 5, 20, 2),
        ))  # fmt: skip
        # An event logged before personal fields were filtered at the door.
        event = session.scalars(
            select(CallEvent).where(CallEvent.call_id == calls["CAold1"].id)
        ).first()
        assert event is not None
        event.params = event.params | {"From": ALICE, "Digits": "1"}
    twilio.at(NOW)
    return app


def march_2024(app: Flask) -> dict[str, int]:
    """Return the volume figures for March 2024."""
    zone = app.extensions["helpline.settings"].calendar.timezone
    with get_database(app).transaction() as session:
        return volumes(session, uk(2024, 3, 1), uk(2024, 4, 1), zone)


def numbers(app: Flask) -> dict[str, str | None]:
    """Return each call's caller number by CallSid."""
    with get_database(app).transaction() as session:
        return {c.call_sid: c.from_number for c in session.scalars(select(Call))}


def test_retention_removes_old_personal_data_and_keeps_volumes(
    seeded: Flask, runner: FlaskCliRunner
) -> None:
    """Old numbers, notes and recordings go; March 2024's figures are unchanged."""
    fake = ExactTwilioHttp()
    fake.expect("DELETE", f"/Recordings/{RECORDING}.json", 204, None)
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake
    before = march_2024(seeded)
    assert before == {"total_calls": 4, "in_hours": 3, "out_of_hours": 1, "answered": 2,
                      "missed": 1, "unique_callers": 3}  # fmt: skip
    result = runner.invoke(args=["jobs", "run", "retention"])
    assert result.exit_code == 0, result.output
    fake.assert_done()
    assert march_2024(seeded) == before
    assert numbers(seeded) == {
        "CAold1": None,
        "CAold2": None,
        "CAold3": None,
        "CAheld": DAVE,
        "CArecent": CAROL,
    }
    for number in (ALICE, BOB):
        assert number not in result.output
    with get_database(seeded).transaction() as session:
        cases = {c.caller_number for c in session.scalars(select(Case))}
        assert cases == {None, DAVE, CAROL}
        callback = session.scalars(select(CallbackRequest)).one()
        assert (callback.number, callback.outcome, callback.status) == (None, None, "done")
        voicemail = session.scalars(select(Voicemail)).one()
        assert voicemail.recording_url is None and voicemail.recording_deleted_at is not None
        assert all("From" not in e.params and "Digits" not in e.params
                   for e in session.scalars(select(CallEvent)))  # fmt: skip


def test_retention_dry_run_lists_and_changes_nothing(seeded: Flask, runner: FlaskCliRunner) -> None:
    """--dry-run names what would change, asks nothing of Twilio and keeps every number."""
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake = ExactTwilioHttp()
    before = numbers(seeded)
    result = runner.invoke(args=["jobs", "run", "retention", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "call CAold1: remove caller number" in result.output
    assert f"recording {RECORDING}: delete at Twilio" in result.output
    assert "CAheld" not in result.output and "CArecent" not in result.output
    assert numbers(seeded) == before
    assert fake.seen == []
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["dry_run"] is True and summary["summary"]["anonymise_calls"] == 3


def test_retention_keeps_recording_when_twilio_fails(seeded: Flask, runner: FlaskCliRunner) -> None:
    """If Twilio cannot delete a recording its URL is kept, to try again next night."""
    fake = ExactTwilioHttp()
    fake.expect("DELETE", f"/Recordings/{RECORDING}.json", 500,
                {"code": 20500, "message": "Internal Server Error", "status": 500})  # fmt: skip
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake
    result = runner.invoke(args=["jobs", "run", "retention"])
    assert result.exit_code == 0, result.output
    with get_database(seeded).transaction() as session:
        voicemail = session.scalars(select(Voicemail)).one()
        assert voicemail.recording_url is not None and voicemail.recording_deleted_at is None
    assert numbers(seeded)["CAold1"] is None


def test_retention_treats_a_recording_already_gone_as_deleted(
    seeded: Flask, runner: FlaskCliRunner
) -> None:
    """Twilio's 404 means the recording is gone: clear the URL."""
    fake = ExactTwilioHttp()
    fake.expect("DELETE", f"/Recordings/{RECORDING}.json", 404,
                {"code": 20404, "message": "not found", "status": 404})  # fmt: skip
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake
    assert runner.invoke(args=["jobs", "run", "retention"]).exit_code == 0
    with get_database(seeded).transaction() as session:
        assert session.scalars(select(Voicemail)).one().recording_url is None


def test_second_retention_run_changes_nothing(seeded: Flask, runner: FlaskCliRunner) -> None:
    """Anonymised records are not touched again."""
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake = ExactTwilioHttp()
    fake.expect("DELETE", f"/Recordings/{RECORDING}.json", 204, None)
    runner.invoke(args=["jobs", "run", "retention"])
    result = runner.invoke(args=["jobs", "run", "retention"])
    summary = json.loads(result.output.strip().splitlines()[-1])["summary"]
    assert {k: v for k, v in summary.items() if k != "cutoff"} == dict.fromkeys(
        ("strip_event_params", "anonymise_calls", "anonymise_callbacks", "delete_recordings",
         "remove_case_notes", "remove_attempt_notes", "anonymise_cases", "forget_old_job_runs"),
        0,
    )  # fmt: skip


def test_legal_hold_set_and_released_from_the_command_line(
    seeded: Flask, runner: FlaskCliRunner
) -> None:
    """`helpline retention hold REF` protects a case; --release lets retention take it."""
    with get_database(seeded).transaction() as session:
        reference = session.scalars(
            select(Case.reference).join(Call).where(Call.call_sid == "CAold2")
        ).one()
    result = runner.invoke(args=["retention", "hold", reference.lower()])
    assert result.exit_code == 0 and "on legal hold" in result.output
    seeded.extensions[HTTP_CLIENT_EXTENSION] = ExactTwilioHttp()  # held: no recording deleted
    runner.invoke(args=["jobs", "run", "retention"])
    assert numbers(seeded)["CAold2"] == BOB
    assert runner.invoke(args=["retention", "hold", reference, "--release"]).exit_code == 0
    assert runner.invoke(args=["retention", "hold", "HAR-1999-00001"]).exit_code == 2


def test_old_job_runs_are_forgotten(seeded: Flask, runner: FlaskCliRunner) -> None:
    """The job-run log does not grow for ever."""
    with get_database(seeded).transaction() as session:
        session.add(JobRun(job="stale-calls", started_at=uk(2024, 1, 1, 0, 0), outcome="done"))
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake = ExactTwilioHttp()
    fake.expect("DELETE", f"/Recordings/{RECORDING}.json", 204, None)
    runner.invoke(args=["jobs", "run", "retention"])
    with get_database(seeded).transaction() as session:
        assert [r.job for r in session.scalars(select(JobRun))] == ["retention"]


def test_retention_removes_old_case_notes_except_on_hold(
    seeded: Flask, runner: FlaskCliRunner
) -> None:
    """Handlers' note text on dormant old cases goes; held and recent cases keep theirs."""
    from helpline.jobs.retention import NOTE_REMOVED
    from helpline.models import CaseNote

    with get_database(seeded).transaction() as session:
        calls = {c.call_sid: c for c in session.scalars(select(Call))}
        for sid, at in (("CAold1", uk(2024, 3, 5, 11)), ("CAheld", uk(2024, 3, 7, 11)),
                        ("CArecent", uk(2026, 11, 20, 11))):  # fmt: skip
            session.add(CaseNote(case_id=calls[sid].case_id, author="Sam", body=f"note {sid}",
                                 created_at=at))  # fmt: skip
    fake = ExactTwilioHttp()
    fake.expect("DELETE", f"/Recordings/{RECORDING}.json", 204, None)
    seeded.extensions[HTTP_CLIENT_EXTENSION] = fake
    dry = runner.invoke(args=["jobs", "run", "retention", "--dry-run"])
    assert "1 case notes: remove text" in dry.output, dry.output
    assert runner.invoke(args=["jobs", "run", "retention"]).exit_code == 0
    with get_database(seeded).transaction() as session:
        bodies = sorted(session.scalars(select(CaseNote.body)))
    assert bodies == sorted([NOTE_REMOVED, "note CAheld", "note CArecent"])
