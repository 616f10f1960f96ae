"""A twilio.http.HttpClient that checks each REST request exactly and answers as Twilio does."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from twilio.http import HttpClient
from twilio.http.response import Response

from tests.twilio_client import ACCOUNT_SID

API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"


@dataclass
class Expected:
    """One request we expect, and Twilio's answer to it."""

    method: str
    url: str
    status: int
    body: Any
    params: dict[str, str] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] | None = None


class ExactTwilioHttp(HttpClient):  # type: ignore[misc]
    """Answer expected requests in order; anything else fails the test."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("tests.twilio_http"), is_async=False)
        self.expected: list[Expected] = []
        self.seen: list[tuple[str, str, dict[str, str], dict[str, str]]] = []

    def expect(self, method: str, path: str, status: int, body: Any, **fields: Any) -> None:
        """Queue a request (path after /Accounts/AC...) and the answer to give."""
        self.expected.append(Expected(method, API + path, status, body, **fields))

    def request(
        self, method: str, uri: str, params: dict[str, object] | None = None,
        data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None, timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:  # fmt: skip
        """Check the request against the next expectation and return its answer."""
        got_params = {k: str(v) for k, v in (params or {}).items()}
        got_data = {k: str(v) for k, v in (data or {}).items()}
        self.seen.append((method, uri, got_params, got_data))
        assert self.expected, f"unexpected Twilio request {method} {uri}"
        want = self.expected.pop(0)
        assert (method, uri) == (want.method, want.url)
        assert got_params == want.params
        assert got_data == want.data
        assert auth is not None and auth[0] == ACCOUNT_SID
        return Response(want.status, _text(want.body), want.headers)

    def assert_done(self) -> None:
        """Fail if an expected request was never made."""
        assert not self.expected, f"Twilio requests not made: {self.expected}"


def _text(body: Any) -> str:
    """Return the body as Twilio's HttpClient hands it back: JSON text, or bytes as Latin-1."""
    if isinstance(body, bytes):
        return body.decode("latin-1")
    return "" if body is None else json.dumps(body)


def not_found(path: str) -> dict[str, Any]:
    """Return Twilio's JSON error body for a missing resource."""
    return {
        "code": 20404,
        "message": f"The requested resource /2010-04-01/Accounts/{ACCOUNT_SID}{path} was not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
        "status": 404,
    }


def call_resource(
    sid: str, status: str, end_time: str | None, duration: str | None
) -> dict[str, Any]:
    """Return a Call resource as Twilio's API serialises it."""
    return {
        "sid": sid, "account_sid": ACCOUNT_SID, "api_version": "2010-04-01",
        "status": status, "direction": "inbound", "from": "+447911123456",
        "to": "+441785000000", "start_time": "Tue, 24 Nov 2026 10:00:00 +0000",
        "end_time": end_time, "duration": duration, "price": None, "price_unit": "GBP",
        "date_created": "Tue, 24 Nov 2026 10:00:00 +0000",
        "date_updated": "Tue, 24 Nov 2026 10:05:00 +0000",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{sid}.json",
    }  # fmt: skip


def phone_number_resource(sid: str, number: str, **settings: str) -> dict[str, Any]:
    """Return an IncomingPhoneNumber resource as Twilio's API serialises it."""
    return {
        "sid": sid, "account_sid": ACCOUNT_SID, "phone_number": number,
        "friendly_name": number, "api_version": "2010-04-01",
        "voice_url": "https://demo.twilio.com/welcome/voice/", "voice_method": "POST",
        "voice_fallback_url": None, "voice_fallback_method": "POST",
        "status_callback": "", "status_callback_method": "POST",
        "voice_caller_id_lookup": False, "voice_application_sid": None,
        "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False},
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/IncomingPhoneNumbers/{sid}.json",
    } | settings  # fmt: skip
