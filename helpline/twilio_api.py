"""The one place that builds Twilio's REST client from the service's settings."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

# Tests (and a future proxy set-up) put a twilio.http.HttpClient here to carry every request.
HTTP_CLIENT_EXTENSION = "helpline.twilio_http"


class TwilioNotConfiguredError(Exception):
    """TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is not set."""


def twilio_client(app: Flask | None = None) -> Client:
    """Return a REST client for the configured account; raise if credentials are missing."""
    app = app or current_app
    settings = app.extensions["helpline.settings"]
    if not settings.twilio_account_sid or not settings.twilio_auth_token:
        raise TwilioNotConfiguredError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set")
    http_client: Any = app.extensions.get(HTTP_CLIENT_EXTENSION)
    return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)


def is_not_found(error: Exception) -> bool:
    """Return True if Twilio answered that the resource does not exist (HTTP 404)."""
    return isinstance(error, TwilioRestException) and error.status == 404
