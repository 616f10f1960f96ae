"""Property-based fuzzing of every /voice/* webhook with validly signed, oddly filled forms.

Whatever Twilio (or a broken carrier) puts in a field: never a 5xx, the TwiML always parses,
and a caller who starts a call, or presses anything at the menu, can always reach a <Dial>.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from flask import Flask, Request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder, TestResponse

from helpline import flows
from tests.flow_helpers import EVENING, IN_HOURS, prompts
from tests.flow_helpers import settings as service_settings
from tests.twilio_client import TEST_AUTH_TOKEN, TwilioClient, incoming_params

FUZZ = settings(
    max_examples=150, derandomize=True, deadline=None, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
SID = "CA" + "f" * 32
CALL_STATUSES = ("queued", "initiated", "ringing", "in-progress", "completed", "busy",
                 "failed", "no-answer", "canceled")  # fmt: skip
DIAL_STATUSES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")
# Every state of the real flows, so hooks for real states are fuzzed as well as made-up ones.
_SETTINGS = service_settings()
FLOW_STATES = tuple(
    sorted(
        flows.load(_SETTINGS.flows.directory, _SETTINGS.flows.main, prompts())
        .flows["harmony"]
        .states
    )
)
HOOKS = ("gather", "dial", "record", "recording", "end")
QUERY_KEYS = ("attempt", "stage", "safe", "message", "trail", "v")

odd_text = st.one_of(
    st.just(""),
    st.text(max_size=60),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=8).map(lambda s: s * 2500),
    st.sampled_from(["anonymous", "Restricted", "+266696687", "unknown", "\u202e+4477", "🙂",
                     "0", "-1", "99999999999999999999", "NaN", "<Response/>", "%00", " "]),
)  # fmt: skip
phone = st.one_of(st.from_regex(r"\+?[0-9 ()\-]{0,18}", fullmatch=True), odd_text)
digits = st.one_of(st.text("0123456789*#", max_size=12), odd_text)
timestamp = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(
        lambda at: at.strftime("%a, %d %b %Y %H:%M:%S +0000")
    ),
    odd_text,
)  # fmt: skip
FIELDS = {
    "From": phone, "Caller": phone, "To": phone, "Called": phone, "CallSid": odd_text,
    "CallStatus": st.one_of(st.sampled_from(CALL_STATUSES), odd_text),
    "Digits": digits, "SpeechResult": odd_text,
    "Confidence": st.one_of(st.floats(allow_nan=True).map(str), odd_text),
    "DialCallStatus": st.one_of(st.sampled_from(DIAL_STATUSES), odd_text),
    "DialCallSid": odd_text, "DialCallDuration": st.one_of(st.integers().map(str), odd_text),
    "SequenceNumber": st.one_of(st.integers().map(str), odd_text), "Timestamp": timestamp,
    "CallDuration": st.one_of(st.integers().map(str), odd_text), "Duration": odd_text,
    "RecordingUrl": odd_text, "RecordingSid": odd_text, "RecordingStatus": odd_text,
    "RecordingDuration": st.one_of(st.integers().map(str), odd_text),
    "ErrorCode": odd_text, "ErrorUrl": odd_text, "CallbackSource": odd_text,
    "FinishedOnKey": digits, "Direction": odd_text, "CallerName": odd_text,
}  # fmt: skip


@st.composite
def forms(draw: st.DrawFn) -> dict[str, str]:
    """Return Twilio's usual form with some fields replaced by odd values and some left out."""
    form = incoming_params(SID, "+447911123456")
    for name in draw(st.sets(st.sampled_from(sorted(FIELDS)), max_size=6)):
        form[name] = draw(FIELDS[name])
    for name in draw(st.sets(st.sampled_from(sorted(form)), max_size=3)):
        form.pop(name)
    return form


segment = st.one_of(st.text(max_size=20).filter(lambda s: "/" not in s and s.strip()), odd_text)


@st.composite
def webhook_paths(draw: st.DrawFn) -> str:
    """Return any /voice/* path our own TwiML (or Twilio's console) could send, and odd ones."""
    kind = draw(st.sampled_from(["incoming", "status", "fallback", "dial", "flow"]))
    if kind == "dial":
        line = draw(st.one_of(st.sampled_from(["harmony", "out_of_hours"]), segment))
        return "/voice/dial/" + _quoted(line)
    if kind != "flow":
        return f"/voice/{kind}"
    state = draw(st.one_of(st.sampled_from(FLOW_STATES), segment))
    hook = draw(st.one_of(st.sampled_from(HOOKS), segment))
    query = draw(st.dictionaries(st.sampled_from(QUERY_KEYS), odd_text, max_size=4))
    path = f"/voice/flow/harmony/{_quoted(state)}/{_quoted(hook)}"
    return path + (f"?{urlencode(query)}" if query else "")


def _quoted(segment_text: str) -> str:
    """Return a path segment percent-encoded as Twilio would request it."""
    return quote(segment_text.replace("/", "").strip() or "x", safe="")


instants = st.one_of(
    st.sampled_from([IN_HOURS, EVENING]),
    # hypothesis takes naive bounds and attaches the zone itself.
    st.datetimes(datetime(2025, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC)),  # noqa: DTZ001
)


def post(app: Flask, client: FlaskClient, path: str, form: dict[str, str]) -> TestResponse:
    """POST a form signed for exactly the URL the app will see (werkzeug's own quoting)."""
    route, _, query = path.partition("?")
    builder = EnvironBuilder(path=route, query_string=query, method="POST", data=form)
    url = Request(builder.get_environ()).url
    signer = TwilioClient(app, client, TEST_AUTH_TOKEN)
    response = client.post(
        route, query_string=query, data=form, headers={"X-Twilio-Signature": signer.sign(url, form)}
    )
    assert response.status_code < 500, (path, form, response.get_data(as_text=True)[:500])
    assert response.status_code != 403, f"the fuzz harness signed {url} wrongly"
    return response


def parsed(response: TestResponse) -> ElementTree.Element | None:
    """Return the TwiML of a response (None for an empty 204), checking it parses."""
    if not response.get_data():
        assert response.status_code in (200, 204), response.status_code
        return None
    assert response.mimetype == "text/xml", response.mimetype
    return ElementTree.fromstring(response.get_data())  # noqa: S314 - our own output


def reaches_dial(
    app: Flask, client: FlaskClient, document: ElementTree.Element | None, hops: int = 5
) -> bool:
    """Return whether a caller who stays silent gets to a <Dial> (Gathers fall through)."""
    for verb in () if document is None else document:
        if verb.tag == "Dial":
            return True
        if verb.tag == "Redirect" and hops:
            follow = post(app, client, _local(verb.text or ""), silent())
            return reaches_dial(app, client, parsed(follow), hops - 1)
        if verb.tag in ("Hangup", "Reject"):
            return False
    return False


def silent() -> dict[str, str]:
    """Return the form of a call in progress where the caller pressed nothing."""
    return incoming_params(SID, "+447911123456") | {"CallStatus": "in-progress"}


def _local(url: str) -> str:
    """Return the path and query of one of our own absolute callback URLs."""
    assert url.startswith("http://localhost/"), url
    return url[len("http://localhost") :]


@FUZZ
@given(path=webhook_paths(), form=forms(), at=instants)
def test_any_webhook_form_gets_parseable_twiml(
    app: Flask, client: FlaskClient, path: str, form: dict[str, str], at: datetime
) -> None:
    """Any field, any value, any of our paths: no 5xx, TwiML parses, new calls reach a <Dial>."""
    app.extensions["helpline.clock"] = lambda: at
    document = parsed(post(app, client, path, form))
    if path in ("/voice/incoming", "/voice/fallback"):
        assert reaches_dial(app, client, document), ElementTree.tostring(document or ())


@FUZZ
@given(form=forms(), presses=st.lists(digits, min_size=1, max_size=3), at=instants)
def test_any_menu_input_still_reaches_a_dial(
    app: Flask, client: FlaskClient, form: dict[str, str], presses: list[str], at: datetime
) -> None:
    """Whatever a caller keys or says at each menu, staying on the line reaches a <Dial>."""
    app.extensions["helpline.clock"] = lambda: at
    document = parsed(post(app, client, "/voice/incoming", form))
    for keys in presses:
        gather = None if document is None else document.find("Gather")
        if gather is None:
            break
        pressed = silent() | {"Digits": keys, "SpeechResult": keys, "Confidence": "0.9"}
        document = parsed(post(app, client, _local(str(gather.get("action"))), pressed))
    assert reaches_dial(app, client, document), ElementTree.tostring(document or ())


def test_fuzz_alphabet_covers_every_field_twilio_sends() -> None:
    """Every field of Twilio's voice request the views read is fuzzed."""
    read = {"From", "To", "CallSid", "CallStatus", "Digits", "SpeechResult", "Confidence",
            "DialCallStatus", "SequenceNumber", "Timestamp", "RecordingUrl", "RecordingSid",
            "RecordingDuration", "CallDuration", "ErrorCode", "ErrorUrl"}  # fmt: skip
    assert read <= set(FIELDS), read - set(FIELDS)
