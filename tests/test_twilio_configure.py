"""`helpline twilio configure`: the exact requests Twilio's API expects, shown and confirmed."""

from __future__ import annotations

import dataclasses
import logging

import pytest
import requests
from flask import Flask
from flask.testing import FlaskCliRunner
from twilio.http import HttpClient
from twilio.http.response import Response

from helpline.twilio.client import HTTP_CLIENT_EXTENSION
from tests.twilio_client import BASE_URL, TwilioClient, incoming_params
from tests.twilio_http import ExactTwilioHttp, phone_number_resource

BASE = "https://helpline.example.org"
NUMBER, SID = "+441785000000", "PN" + "1" * 32


@pytest.fixture
def twilio_http(app: Flask) -> ExactTwilioHttp:
    """Route the app's Twilio REST calls through an exact fake, with a public base URL set."""
    settings = app.extensions["helpline.settings"]
    app.extensions["helpline.settings"] = dataclasses.replace(settings, public_base_url=BASE)
    fake = ExactTwilioHttp()
    app.extensions[HTTP_CLIENT_EXTENSION] = fake
    return fake


def expect_lookup(fake: ExactTwilioHttp, **settings: str) -> None:
    """Expect the number to be looked up by its E.164 form."""
    fake.expect(
        "GET", "/IncomingPhoneNumbers.json", 200,
        {"incoming_phone_numbers": [phone_number_resource(SID, NUMBER, **settings)],
         "next_page_uri": None, "page": 0, "page_size": 2, "start": 0, "end": 0,
         "uri": "/2010-04-01/Accounts/x/IncomingPhoneNumbers.json?PageSize=2"},
        params={"PhoneNumber": NUMBER, "PageSize": "2"},
    )  # fmt: skip


OVERRIDES = "#ct=1000&rt=2000&tt=3000&rc=1"
WANTED = {
    "VoiceUrl": f"{BASE}/voice/incoming{OVERRIDES}",
    "VoiceMethod": "POST",
    "VoiceFallbackUrl": f"{BASE}/voice/fallback",
    "VoiceFallbackMethod": "POST",
    "StatusCallback": f"{BASE}/voice/status",
    "StatusCallbackMethod": "POST",
}


def test_configure_sends_exactly_the_update_twilio_expects(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """With --yes the number's voice, fallback and status URLs are set in one POST."""
    expect_lookup(twilio_http)
    # Only settings that differ are sent: the methods are already POST.
    changed = {k: v for k, v in WANTED.items() if not k.endswith("Method")}
    twilio_http.expect(
        "POST", f"/IncomingPhoneNumbers/{SID}.json", 200,
        phone_number_resource(SID, NUMBER, voice_url=WANTED["VoiceUrl"]), data=changed,
    )  # fmt: skip
    result = runner.invoke(args=["twilio", "configure", "--number", "01785 000000", "--yes"])
    assert result.exit_code == 0, result.output
    twilio_http.assert_done()
    assert f"voice_url: https://demo.twilio.com/welcome/voice/ -> {WANTED['VoiceUrl']}" in (
        result.output
    )
    assert "status_callback: (not set) -> " in result.output
    assert f"Fallback URL (if the Voice URL fails or times out): {BASE}/voice/fallback" in (
        result.output
    )
    assert "connect within 1000 ms, respond within 2000 ms, 1 retry, 3000 ms in all" in (
        result.output
    )


def test_configure_asks_and_changes_nothing_when_refused(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """Without --yes it shows the changes, asks, and a 'no' sends no update."""
    expect_lookup(twilio_http)
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER], input="n\n")
    assert result.exit_code == 1
    assert "Apply these changes?" in result.output
    twilio_http.assert_done()
    assert [seen[0] for seen in twilio_http.seen] == ["GET"]


def test_configure_confirmed_interactively_updates(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """Answering yes sends every differing setting, methods included."""
    expect_lookup(twilio_http, voice_method="GET", status_callback_method="GET")
    changed = {k: v for k, v in WANTED.items() if k not in ("VoiceFallbackMethod",)}
    twilio_http.expect(
        "POST", f"/IncomingPhoneNumbers/{SID}.json", 200,
        phone_number_resource(SID, NUMBER), data=changed,
    )  # fmt: skip
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER], input="y\n")
    assert result.exit_code == 0, result.output
    twilio_http.assert_done()


def test_configure_does_nothing_when_already_set(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """A number already pointing at the service is left alone."""
    expect_lookup(
        twilio_http, voice_url=WANTED["VoiceUrl"], voice_fallback_url=WANTED["VoiceFallbackUrl"],
        status_callback=WANTED["StatusCallback"],
    )  # fmt: skip
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER])
    assert result.exit_code == 0
    assert "nothing to change" in result.output
    twilio_http.assert_done()


def test_configure_refuses_a_number_not_on_the_account(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """An unknown number is a clear error, not a traceback."""
    twilio_http.expect(
        "GET", "/IncomingPhoneNumbers.json", 200,
        {"incoming_phone_numbers": [], "next_page_uri": None, "page": 0, "page_size": 2},
        params={"PhoneNumber": NUMBER, "PageSize": "2"},
    )  # fmt: skip
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER, "--yes"])
    assert result.exit_code == 2
    assert result.output == f"Error: {NUMBER} is not a number on this Twilio account\n"


def test_configure_needs_the_public_base_url(app: Flask, runner: FlaskCliRunner) -> None:
    """Without HELPLINE_PUBLIC_BASE_URL there is nothing to point the number at."""
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER, "--yes"])
    assert result.exit_code == 2
    assert "HELPLINE_PUBLIC_BASE_URL" in result.output


def test_configure_rejects_a_bad_number(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """A mistyped number is refused before Twilio is asked anything."""
    result = runner.invoke(args=["twilio", "configure", "--number", "not-a-number", "--yes"])
    assert result.exit_code == 2
    assert twilio_http.seen == []


def test_configure_fails_over_to_a_fallback_url_elsewhere(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """--fallback-url (say a TwiML Bin) replaces /voice/fallback, for a wholly dead service."""
    bin_url = "https://handler.twilio.com/twiml/EH" + "0" * 32
    expect_lookup(
        twilio_http, voice_url=WANTED["VoiceUrl"], status_callback=WANTED["StatusCallback"]
    )
    update = phone_number_resource(SID, NUMBER)
    path = f"/IncomingPhoneNumbers/{SID}.json"
    twilio_http.expect("POST", path, 200, update, data={"VoiceFallbackUrl": bin_url})
    args = ["twilio", "configure", "--number", NUMBER, "--yes", "--fallback-url", bin_url]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    twilio_http.assert_done()
    assert f"Voice URL: {BASE}/voice/incoming#ct=1000&rt=2000&tt=3000&rc=1" in result.output


def test_a_voice_url_signed_with_its_overrides_is_accepted(app: Flask) -> None:
    """Whether Twilio signs the Voice URL with its fragment or without, the call is answered."""
    twilio = TwilioClient(app, app.test_client())
    params = incoming_params("CA" + "7" * 32, "+447911123456")
    signature = twilio.sign(f"{BASE_URL}/voice/incoming{OVERRIDES}", params)
    headers = {"X-Twilio-Signature": signature}
    response = app.test_client().post("/voice/incoming", data=params, headers=headers)
    app.extensions["helpline.writer"].drain()
    assert response.status_code == 200


class UnreachableTwilio(HttpClient):  # type: ignore[misc]
    """An HttpClient whose every request times out, as when Twilio cannot be reached."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("tests.twilio_http"), is_async=False)

    def request(self, method: str, uri: str, **kwargs: object) -> Response:
        """Fail the way Twilio's own HttpClient does when the connection times out."""
        raise requests.exceptions.ConnectTimeout(f"{method} {uri}: connect timeout")


def test_configure_says_in_one_line_when_twilio_is_unreachable(
    app: Flask, runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """No network (or Twilio down) is one clear line and a failing exit status."""
    app.extensions[HTTP_CLIENT_EXTENSION] = UnreachableTwilio()
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER, "--yes"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: could not reach Twilio (ConnectTimeout); check the network and try again\n"
    )


@pytest.mark.parametrize("status", [401, 403])
def test_configure_says_in_one_line_when_twilio_refuses_the_credentials(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp, status: int
) -> None:
    """A wrong SID or auth token is one line naming the variables to check."""
    refusal = {"code": 20003, "message": "Authenticate", "status": status,
               "more_info": "https://www.twilio.com/docs/errors/20003"}  # fmt: skip
    twilio_http.expect(
        "GET", "/IncomingPhoneNumbers.json", status, refusal,
        params={"PhoneNumber": NUMBER, "PageSize": "2"},
    )  # fmt: skip
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER, "--yes"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: Twilio refused the credentials (HTTP {status}); "
        "check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN\n"
    )


def test_configure_says_in_one_line_when_the_update_fails(
    runner: FlaskCliRunner, twilio_http: ExactTwilioHttp
) -> None:
    """Twilio refusing the change itself is one line too, after the changes were shown."""
    expect_lookup(twilio_http)
    changed = {k: v for k, v in WANTED.items() if not k.endswith("Method")}
    error = {"code": 21402, "message": "Url is not a valid URL:\n x", "status": 400}
    path = f"/IncomingPhoneNumbers/{SID}.json"
    twilio_http.expect("POST", path, 400, error, data=changed)
    result = runner.invoke(args=["twilio", "configure", "--number", NUMBER, "--yes"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "Error: Twilio answered HTTP 400: Unable to update record: Url is not a valid URL: x"
    )
