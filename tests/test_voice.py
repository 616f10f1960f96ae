"""The voice webhooks: signatures, routing to the right line, and never a dead end."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.twilio_client import (
    TwilioClient,
    dial_params,
    dialled_numbers,
    incoming_params,
    spoken,
    twiml,
)

LONDON = ZoneInfo("Europe/London")
HARMONY, SUPPORT = "+443301757258", "+448081689111"
CALLER = "+447911123456"


def uk(*args: int) -> datetime:
    """Return an aware UK local time."""
    return datetime(*args, tzinfo=LONDON)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("instant", "number"),
    [
        (uk(2026, 11, 24, 10, 0), HARMONY),
        (uk(2026, 11, 24, 9, 0), HARMONY),
        (uk(2026, 11, 24, 8, 59, 59), SUPPORT),
        (uk(2026, 11, 24, 17, 0), SUPPORT),
        (uk(2026, 11, 28, 10, 0), SUPPORT),
        (uk(2026, 12, 28, 10, 0), SUPPORT),
    ],
)
def test_incoming_dials_the_line_for_the_time(
    twilio: TwilioClient, instant: datetime, number: str
) -> None:
    """In hours the Harmony line, otherwise the 24/7 support line."""
    document = twilio.at(instant).post("/voice/incoming", incoming_params("CA001", CALLER))
    assert dialled_numbers(twiml(document)) == [number]


def test_incoming_greets_calmly_and_reminds_of_999(twilio: TwilioClient) -> None:
    """The caller hears the service's name, confidentiality and the 999 reminder in en-GB."""
    document = twiml(
        twilio.at(uk(2026, 11, 24, 10)).post("/voice/incoming", incoming_params("CA1", CALLER))
    )
    words = spoken(document)
    assert "Harmony" in words and "confidential" in words and "dial 999" in words
    assert all(say.get("language") == "en-GB" for say in document.iter("Say"))
    assert [child.tag for child in document][-1] == "Dial"


def test_dial_attributes(twilio: TwilioClient) -> None:
    """The dial has an action URL, ring timeout, answerOnBridge and the caller's number as ID."""
    document = twiml(
        twilio.at(uk(2026, 11, 24, 10)).post("/voice/incoming", incoming_params("CA1", CALLER))
    )
    dial = document.find("Dial")
    assert dial is not None
    action = urlsplit(dial.get("action", ""))
    assert (action.scheme, action.netloc) == ("http", "localhost")
    assert action.path == "/voice/flow/harmony/connect_harmony/dial"
    assert dial.get("method") == "POST"
    assert 10 <= int(dial.get("timeout", "0")) <= 60
    assert dial.get("answerOnBridge") == "true"
    assert dial.get("callerId") == CALLER


def test_withheld_caller_dialled_without_caller_id(twilio: TwilioClient) -> None:
    """A withheld caller is still connected; we do not invent a caller ID."""
    document = twiml(
        twilio.at(uk(2026, 11, 24, 10)).post(
            "/voice/incoming", incoming_params("CA1", "+266696687")
        )
    )
    dial = document.find("Dial")
    assert dial is not None and dial.get("callerId") is None
    assert dialled_numbers(document) == [HARMONY]


def test_out_of_hours_says_the_opening_hours(twilio: TwilioClient) -> None:
    """Out of hours the caller hears when Harmony is open, then goes to the support line."""
    document = twiml(
        twilio.at(uk(2026, 11, 24, 18)).post("/voice/incoming", incoming_params("CA1", CALLER))
    )
    assert "Monday to Friday, 9am to 5pm" in spoken(document)
    assert dialled_numbers(document) == [SUPPORT]
    dial = document.find("Dial")
    assert dial is not None
    action = urlsplit(dial.get("action", ""))
    assert f"http://{action.netloc}{action.path}" == (
        "http://localhost/voice/flow/harmony/connect_support/dial"
    )


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "failed"])
def test_harmony_unanswered_offers_support_line(twilio: TwilioClient, outcome: str) -> None:
    """If the Harmony line does not answer, the caller is put through to the 24/7 line."""
    document = twiml(twilio.post("/voice/dial/harmony", dial_params("CA1", CALLER, outcome)))
    assert dialled_numbers(document) == [SUPPORT]
    assert "24 hours" in spoken(document)


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "failed"])
def test_support_line_unanswered_gives_numbers_then_hangs_up(
    twilio: TwilioClient, outcome: str
) -> None:
    """If even the support line fails, the caller hears the numbers and 999, never silence."""
    document = twiml(twilio.post("/voice/dial/out_of_hours", dial_params("CA1", CALLER, outcome)))
    assert dialled_numbers(document) == []
    says = list(document.iter("say-as"))
    assert [s.text for s in says] == ["0808 168 9111", "0330 175 7258"]
    assert all(s.get("interpret-as") == "telephone" for s in says)
    assert "999" in spoken(document)
    # The flow's goodbye calls back once to log the path, and that reply hangs up.
    last = [child for child in document][-1]
    assert last.tag == "Redirect"
    assert urlsplit(last.text or "").path == "/voice/flow/harmony/numbers_goodbye/end"


@pytest.mark.parametrize("outcome", ["completed", "answered", "canceled"])
def test_connected_or_caller_gone_hangs_up(twilio: TwilioClient, outcome: str) -> None:
    """After a connected call, or when the caller hung up, the call simply ends."""
    document = twiml(
        twilio.post("/voice/dial/harmony", dial_params("CA1", CALLER, outcome, talk=30))
    )
    assert [child.tag for child in document] == ["Hangup"]


def test_dial_outcome_for_a_line_no_flow_dials_ends_the_call(twilio: TwilioClient) -> None:
    """A dial outcome from an older release for an unknown line ends the call, no error."""
    document = twiml(twilio.post("/voice/dial/retired", dial_params("CA1", CALLER, "no-answer")))
    assert [child.tag for child in document] == ["Hangup"]


def test_forged_signature_refused(
    twilio: TwilioClient, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A bad signature gets 403, logged without the caller's number."""
    params = incoming_params("CA1", CALLER)
    response = client.post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": "Zm9yZ2Vk"}
    )
    assert response.status_code == 403
    assert "signature invalid" in caplog.text
    assert CALLER not in caplog.text and "7911" not in caplog.text


def test_unsigned_refused(twilio: TwilioClient) -> None:
    """No signature, no call."""
    assert (
        twilio.post("/voice/incoming", incoming_params("CA1", CALLER), signed=False).status_code
        == 403
    )


def test_signature_for_other_url_or_params_refused(
    twilio: TwilioClient, client: FlaskClient
) -> None:
    """A signature for another address, or for other parameters, does not validate."""
    params = incoming_params("CA1", CALLER)
    elsewhere = twilio.sign("http://localhost/voice/status", params)
    assert (
        client.post(
            "/voice/incoming", data=params, headers={"X-Twilio-Signature": elsewhere}
        ).status_code
        == 403
    )
    signature = twilio.sign("http://localhost/voice/incoming", params)
    tampered = params | {"From": "+447700900001"}
    assert (
        client.post(
            "/voice/incoming", data=tampered, headers={"X-Twilio-Signature": signature}
        ).status_code
        == 403
    )


def test_status_and_dial_also_signed(twilio: TwilioClient) -> None:
    """Every path under /voice/ checks the signature."""
    for path in ("/voice/status", "/voice/dial/harmony", "/voice/fallback"):
        assert twilio.post(path, incoming_params("CA1", CALLER), signed=False).status_code == 403


def test_public_base_url_used_for_signature_and_callbacks(
    app: Flask, database_url: str, tmp_path: object
) -> None:
    """Behind a proxy, Twilio signs the public https URL; we validate and link with it."""
    from helpline import create_app
    from tests.conftest import environment

    public = create_app(
        environment(database_url, HELPLINE_PUBLIC_BASE_URL="https://helpline.example.org"),
        instance_path=str(tmp_path),
    )
    params = incoming_params("CA1", CALLER)
    client = public.test_client()
    signer = TwilioClient(public, client)
    signature = signer.sign("https://helpline.example.org/voice/incoming", params)
    public.extensions["helpline.clock"] = lambda: uk(2026, 11, 24, 10)
    response = client.post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )
    dial = twiml(response).find("Dial")
    assert dial is not None
    assert dial.get("action", "").startswith(
        "https://helpline.example.org/voice/flow/harmony/connect_harmony/dial?"
    )
    local_signature = signer.sign("http://localhost/voice/incoming", params)
    refused = client.post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": local_signature}
    )
    assert refused.status_code == 403
    public.extensions["helpline.writer"].drain()
    public.extensions["helpline.db"].dispose()


def test_forwarded_headers_honoured(twilio: TwilioClient, client: FlaskClient) -> None:
    """Behind one reverse proxy, X-Forwarded-Proto/Host give the URL Twilio signed."""
    params = incoming_params("CA1", CALLER)
    signature = twilio.sign("https://calls.example.org/voice/incoming", params)
    headers = {
        "X-Twilio-Signature": signature,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "calls.example.org",
    }
    assert client.post("/voice/incoming", data=params, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"CallSid": "CA1"},
        {"CallSid": "CA1", "From": ""},
        {"CallSid": "", "From": "garbage", "To": "???"},
        {"CallSid": "CA1", "From": "+447911123456", "Extra": "x" * 5000},
    ],
)
def test_odd_or_missing_fields_still_route(twilio: TwilioClient, params: dict[str, str]) -> None:
    """A webhook with odd or missing fields still connects the caller."""
    document = twiml(twilio.at(uk(2026, 11, 24, 10)).post("/voice/incoming", params))
    assert dialled_numbers(document) == [HARMONY]


def test_fallback_routes_with_config_alone(
    twilio: TwilioClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Twilio's fallback URL routes the caller and logs the error Twilio reports."""
    params = incoming_params("CA1", CALLER) | {
        "ErrorCode": "11200",
        "ErrorUrl": "https://x/voice/incoming",
    }
    document = twiml(twilio.at(uk(2026, 11, 24, 10)).post("/voice/fallback", params))
    assert dialled_numbers(document) == [HARMONY]
    assert "ErrorCode=11200" in caplog.text


def test_internal_failure_still_connects_to_support_line(
    twilio: TwilioClient, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If routing itself breaks, the caller is connected to the 24/7 line, not an error."""

    def broken(*_args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("helpline.voice.views.decide", broken)
    document = twiml(twilio.post("/voice/incoming", incoming_params("CA1", CALLER)))
    assert dialled_numbers(document) == [SUPPORT]


def test_get_not_allowed(client: FlaskClient) -> None:
    """Webhooks are POST only."""
    assert client.get("/voice/incoming").status_code in (403, 405)


def test_signature_checks_off_warns_at_every_start(
    database_url: str, tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    """In development the checks can be turned off, loudly, and unsigned webhooks then route."""
    from helpline import create_app
    from tests.conftest import environment

    env = environment(database_url, HELPLINE_ENV="development", HELPLINE_VERIFY_SIGNATURES="false")
    dev = create_app(env, instance_path=str(tmp_path))
    assert "SIGNATURE CHECKS ARE OFF" in caplog.text
    dev.extensions["helpline.clock"] = lambda: uk(2026, 11, 24, 10)
    response = dev.test_client().post("/voice/incoming", data=incoming_params("CA1", CALLER))
    assert dialled_numbers(twiml(response)) == [HARMONY]
    dev.extensions["helpline.writer"].drain()
    dev.extensions["helpline.db"].dispose()


def test_stale_staff_cookie_never_redirects_a_call(
    twilio: TwilioClient, client: FlaskClient
) -> None:
    """A webhook that somehow carries an expired staff session still gets its TwiML."""
    with client.session_transaction() as session:
        session["_user_id"] = "1"
        session["seen"] = 0.0  # idle since 1970
    document = twiml(
        twilio.at(uk(2026, 11, 24, 10)).post("/voice/incoming", incoming_params("CA1", CALLER))
    )
    assert dialled_numbers(document) == [HARMONY]
