"""Voicemails play through an authenticated, audited proxy; the recording URL stays hidden."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry, Call, Voicemail
from helpline.twilio.client import HTTP_CLIENT_EXTENSION, default_http_client
from helpline.twilio.recordings import media_url
from tests.casework import case_page
from tests.handler_calls import CALLER, TUESDAY_10AM, case_reference, ring
from tests.twilio_client import ACCOUNT_SID, TwilioClient
from tests.twilio_http import ExactTwilioHttp

RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/RE0001"
# Not valid UTF-8, as real MP3 frames are not: the proxy must pass the bytes through unchanged.
AUDIO = b"ID3\x04\x00\xff\xfb\x90\x64\x00"


@pytest.fixture
def recordings(app: Flask) -> ExactTwilioHttp:
    """Carry the app's Twilio requests through an exact fake."""
    fake = ExactTwilioHttp()
    app.extensions[HTTP_CLIENT_EXTENSION] = fake
    return fake


def expect_media(fake: ExactTwilioHttp, status: int = 200) -> None:
    """Expect the MP3 of RE0001 to be asked for with the account's credentials."""
    body = AUDIO if status == 200 else {"status": status, "message": "not found"}
    fake.expect("GET", "/Recordings/RE0001.mp3", status, body,
                headers={"Content-Type": "audio/mpeg"})  # fmt: skip


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


@pytest.fixture
def voicemail(app: Flask, twilio: TwilioClient) -> tuple[str, int]:
    """Leave a voicemail at RECORDING_URL; return the case reference and the voicemail id."""
    return leave_voicemail(app, twilio)


def test_voicemail_streams_through_the_app_with_account_credentials(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str], recordings: ExactTwilioHttp,
    voicemail: tuple[str, int],
) -> None:  # fmt: skip
    reference, voicemail_id = voicemail
    expect_media(recordings)
    login_as("handler")
    page = case_page(client, reference)
    assert RECORDING_URL not in page and "api.twilio.com" not in page
    assert f"/cases/{reference}/voicemails/{voicemail_id}" in page
    audio = client.get(f"/cases/{reference}/voicemails/{voicemail_id}")
    assert audio.status_code == 200 and audio.data == AUDIO
    assert audio.mimetype == "audio/mpeg" and "no-store" in audio.headers["Cache-Control"]
    recordings.assert_done()
    with get_database(app).transaction() as session:
        assert "voicemail_played" in session.scalars(select(AuditEntry.action)).all()


def test_voicemail_needs_sign_in(
    client: FlaskClient, recordings: ExactTwilioHttp, voicemail: tuple[str, int]
) -> None:
    reference, voicemail_id = voicemail
    assert client.get(f"/cases/{reference}/voicemails/{voicemail_id}").status_code == 302
    assert recordings.seen == []


def test_voicemail_of_another_case_or_host_is_not_fetched(
    app: Flask, twilio: TwilioClient, client: FlaskClient, login_as: Callable[[str], str],
    recordings: ExactTwilioHttp,
) -> None:  # fmt: skip
    _, voicemail_id = leave_voicemail(app, twilio, url="https://evil.example/Recordings/RE1")
    ring(twilio, "CA0002", "+447700900123", TUESDAY_10AM.replace(hour=11))
    login_as("handler")
    other = case_reference(app, "CA0002")
    assert client.get(f"/cases/{other}/voicemails/{voicemail_id}").status_code == 404
    own = case_reference(app, "CA0001")
    assert client.get(f"/cases/{own}/voicemails/{voicemail_id}").status_code == 404
    assert recordings.seen == []


def test_twilio_failure_is_a_502_not_a_crash(
    client: FlaskClient, login_as: Callable[[str], str], recordings: ExactTwilioHttp,
    voicemail: tuple[str, int],
) -> None:  # fmt: skip
    reference, voicemail_id = voicemail
    expect_media(recordings, status=404)
    login_as("handler")
    assert client.get(f"/cases/{reference}/voicemails/{voicemail_id}").status_code == 502


def test_media_url_asks_for_mp3() -> None:
    assert media_url(RECORDING_URL) == RECORDING_URL + ".mp3"
    assert media_url(RECORDING_URL + ".json") == RECORDING_URL + ".mp3"


def test_the_default_http_client_keeps_audio_bytes() -> None:
    """Twilio's HttpClient returns text; binary bodies are decoded so the bytes come back."""
    response = requests.models.Response()
    response._content, response.headers["Content-Type"] = AUDIO, "audio/mpeg"
    for hook in default_http_client().request_hooks["response"]:
        hook(response)
    assert response.text.encode("latin-1") == AUDIO
