"""Voicemails play through an authenticated, audited proxy; the recording URL stays hidden."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.cases.recordings import Audio, media_url
from helpline.db import get_database
from helpline.models import AuditEntry, Call, Voicemail
from tests.handler_calls import CALLER, TUESDAY_10AM, case_reference, ring
from tests.twilio_client import ACCOUNT_SID, TEST_AUTH_TOKEN, TwilioClient

RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE0001"


@dataclass
class FakeRecordings:
    """Stands in for Twilio's media endpoint and notes how it was asked."""

    audio: bytes | None = b"ID3-fake-mp3-bytes"
    requests: list[tuple[str, str, str]] = field(default_factory=list)

    def fetch(self, url: str, account_sid: str, auth_token: str) -> Audio | None:
        """Return the canned audio."""
        self.requests.append((url, account_sid, auth_token))
        if self.audio is None:
            return None
        chunks: Iterator[bytes] = iter([self.audio[:4], self.audio[4:]])
        return Audio("audio/mpeg", chunks)


@pytest.fixture
def recordings(app: Flask) -> FakeRecordings:
    """Swap the Twilio recording client for a fake."""
    fake = FakeRecordings()
    app.extensions["helpline.recordings"] = fake
    return fake


def leave_voicemail(app: Flask, twilio: TwilioClient, url: str = RECORDING_URL) -> tuple[str, int]:
    """Log a call with a voicemail; return the case reference and the voicemail id."""
    ring(twilio, "CA0001", CALLER, TUESDAY_10AM, "missed")
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call)).one()
        message = Voicemail(call_id=call.id, case_id=call.case_id, recording_sid="RE0001",
                            recording_url=url, duration_seconds=42)  # fmt: skip
        session.add(message)
        session.flush()
        return case_reference(app, "CA0001"), message.id


def test_voicemail_streams_through_the_app_with_account_credentials(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str],
    recordings: FakeRecordings,
) -> None:  # fmt: skip
    reference, voicemail_id = leave_voicemail(app, twilio)
    login_as("handler")
    page = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert RECORDING_URL not in page and "api.twilio.com" not in page
    assert f"/cases/{reference}/voicemails/{voicemail_id}" in page
    audio = client.get(f"/cases/{reference}/voicemails/{voicemail_id}")
    assert audio.status_code == 200 and audio.data == b"ID3-fake-mp3-bytes"
    assert audio.mimetype == "audio/mpeg" and "no-store" in audio.headers["Cache-Control"]
    assert recordings.requests == [(RECORDING_URL, ACCOUNT_SID, TEST_AUTH_TOKEN)]
    with get_database(app).transaction() as session:
        assert "voicemail_played" in session.scalars(select(AuditEntry.action)).all()


def test_voicemail_needs_sign_in(
    app: Flask, twilio: TwilioClient, client: FlaskClient, recordings: FakeRecordings
) -> None:
    reference, voicemail_id = leave_voicemail(app, twilio)
    assert client.get(f"/cases/{reference}/voicemails/{voicemail_id}").status_code == 302
    assert recordings.requests == []


def test_voicemail_of_another_case_or_host_is_not_fetched(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str],
    recordings: FakeRecordings,
) -> None:  # fmt: skip
    _, voicemail_id = leave_voicemail(app, twilio, url="https://evil.example/Recordings/RE1")
    ring(twilio, "CA0002", "+447700900123", TUESDAY_10AM.replace(hour=11))
    login_as("handler")
    other = case_reference(app, "CA0002")
    assert client.get(f"/cases/{other}/voicemails/{voicemail_id}").status_code == 404
    own = case_reference(app, "CA0001")
    assert client.get(f"/cases/{own}/voicemails/{voicemail_id}").status_code == 404
    assert recordings.requests == []


def test_twilio_failure_is_a_502_not_a_crash(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str],
    recordings: FakeRecordings,
) -> None:  # fmt: skip
    reference, voicemail_id = leave_voicemail(app, twilio)
    recordings.audio = None
    login_as("handler")
    assert client.get(f"/cases/{reference}/voicemails/{voicemail_id}").status_code == 502


def test_media_url_asks_for_mp3() -> None:
    assert media_url(RECORDING_URL) == RECORDING_URL + ".mp3"
    assert media_url(RECORDING_URL + ".json") == RECORDING_URL + ".mp3"
