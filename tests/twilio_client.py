"""Post webhooks signed and shaped exactly as Twilio sends them."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.test import TestResponse

TEST_AUTH_TOKEN = "12345678901234567890123456789012"
ACCOUNT_SID = "AC" + "0" * 32
HELPLINE_NUMBER = "+441785000000"
BASE_URL = "http://localhost"


def incoming_params(call_sid: str, from_: str, to: str = HELPLINE_NUMBER) -> dict[str, str]:
    """Return the form Twilio posts to the Voice URL for a new inbound call (empties included)."""
    return {
        "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": call_sid,
        "CallStatus": "ringing", "Direction": "inbound", "From": from_, "Caller": from_,
        "To": to, "Called": to, "CallToken": "", "ForwardedFrom": "", "CallerName": "",
        "FromCity": "", "FromState": "", "FromZip": "", "FromCountry": "GB",
        "CallerCity": "", "CallerState": "", "CallerZip": "", "CallerCountry": "GB",
        "ToCity": "", "ToState": "", "ToZip": "", "ToCountry": "GB",
        "CalledCity": "", "CalledState": "", "CalledZip": "", "CalledCountry": "GB",
        "StirVerstat": "",
    }  # fmt: skip


def status_params(
    call_sid: str, from_: str, status: str, sequence: int, at: datetime,
    duration: int | None = None, to: str = HELPLINE_NUMBER,
) -> dict[str, str]:  # fmt: skip
    """Return the form of a call progress (status callback) event."""
    params = incoming_params(call_sid, from_, to) | {
        "CallStatus": status,
        "CallbackSource": "call-progress-events",
        "SequenceNumber": str(sequence),
        "Timestamp": format_datetime(at.astimezone(UTC)),
        "SipResponseCode": "200" if status == "completed" else "",
    }
    if duration is not None:
        params |= {"CallDuration": str(duration), "Duration": str(max(1, (duration + 59) // 60))}
    return params


def dial_params(
    call_sid: str, from_: str, dial_status: str, talk: int = 0, to: str = HELPLINE_NUMBER
) -> dict[str, str]:
    """Return the form Twilio posts to a <Dial> action URL when the dialled leg ends."""
    return incoming_params(call_sid, from_, to) | {
        "CallStatus": "in-progress" if dial_status != "canceled" else "completed",
        "DialCallStatus": dial_status,
        "DialCallSid": "CA" + call_sid[2:][::-1],
        "DialCallDuration": str(talk) if dial_status == "completed" else "0",
        "DialBridged": "true" if dial_status == "completed" else "false",
    }


class TwilioClient:
    """A test client wrapper that signs each POST with the test auth token."""

    def __init__(self, app: Flask, client: FlaskClient, token: str = TEST_AUTH_TOKEN) -> None:
        self.app, self.client = app, client
        self.validator = RequestValidator(token)

    def at(self, instant: datetime) -> TwilioClient:
        """Pretend the webhooks arrive at an instant (sets the app's clock)."""
        self.app.extensions["helpline.clock"] = lambda: instant
        return self

    def post(self, path: str, params: dict[str, str], signed: bool = True) -> TestResponse:
        """POST a form to path with a valid X-Twilio-Signature, then wait for the log writer."""
        headers = {"X-Twilio-Signature": self.sign(BASE_URL + path, params)} if signed else {}
        response = self.client.post(path, data=params, headers=headers)
        self.app.extensions["helpline.writer"].drain()
        return response

    def sign(self, url: str, params: dict[str, str]) -> str:
        """Return the signature Twilio would send for this URL and form."""
        return str(self.validator.compute_signature(url, params))


def twiml(response: TestResponse) -> ElementTree.Element:
    """Parse a TwiML response body, checking it is XML served as XML."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.get_data())  # noqa: S314 - our own output


def dialled_numbers(document: ElementTree.Element) -> list[str]:
    """Return every number a TwiML document dials, in order."""
    return [(number.text or "").strip() for number in document.iter("Number")]


def spoken(document: ElementTree.Element) -> str:
    """Return all the words a TwiML document says, joined."""
    return " ".join("".join(say.itertext()).strip() for say in document.iter("Say"))
