"""Fetch voicemail audio from Twilio with the account credentials, for the proxy route.

The recording URL never reaches the browser: staff hear messages only through our own
authenticated, audited route. The HTTP client is injectable so tests need no network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Audio:
    """A stream of audio bytes and its content type."""

    content_type: str
    chunks: Iterator[bytes]


class RecordingClient(Protocol):
    """Fetches a recording's media given Twilio credentials."""

    def fetch(self, url: str, account_sid: str, auth_token: str) -> Audio | None:
        """Return the audio, or None when Twilio does not have it."""


class TwilioRecordingClient:
    """Stream media from api.twilio.com with HTTP basic auth (the account SID and token)."""

    def fetch(self, url: str, account_sid: str, auth_token: str) -> Audio | None:
        """Return the MP3 stream, or None if Twilio answers with anything but 200."""
        import requests

        response = requests.get(
            media_url(url), auth=(account_sid, auth_token), stream=True, timeout=TIMEOUT_SECONDS
        )
        if response.status_code != 200:
            response.close()
            return None
        content_type = response.headers.get("Content-Type", "audio/mpeg")
        return Audio(content_type, response.iter_content(CHUNK))


def media_url(recording_url: str) -> str:
    """Return the MP3 media URL for a RecordingUrl (which Twilio sends without an extension)."""
    base = recording_url.strip()
    for extension in (".json", ".mp3", ".wav"):
        base = base.removesuffix(extension)
    return base + ".mp3"


def is_twilio_url(url: str) -> bool:
    """Return True only for Twilio's API host, so credentials are never sent elsewhere."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname == "api.twilio.com"
