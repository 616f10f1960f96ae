"""Voicemail recordings at Twilio: fetch their audio for the proxy route, delete them on expiry.

The recording URL never reaches the browser: staff hear messages only through our own
authenticated, audited route. Both go through the app's injected HttpClient.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask

from helpline.twilio.client import credentials, http_client, is_not_found, twilio_client


@dataclass(frozen=True)
class Audio:
    """A stream of audio bytes and its content type."""

    content_type: str
    chunks: Iterator[bytes]


def fetch_audio(url: str, app: Flask | None = None) -> Audio | None:
    """Return the MP3 of a RecordingUrl, or None if Twilio answers with anything but 200.

    A voicemail is a minute or two of MP3 (about a megabyte), so it is read whole.
    """
    response = http_client(app).request(
        "GET", media_url(url), auth=credentials(app), allow_redirects=True
    )
    if response.status_code != 200:
        return None
    try:
        body = response.text.encode("latin-1")  # undoes the default client's byte decoding
    except UnicodeEncodeError:  # a client that decoded the audio as text has lost bytes
        return None
    content_type = (response.headers or {}).get("Content-Type", "audio/mpeg")
    return Audio(content_type, iter([body]))


def delete_recording(sid: str, app: Flask | None = None) -> None:
    """Delete a recording at Twilio; one already gone counts as deleted."""
    try:
        twilio_client(app).recordings(sid).delete()
    except Exception as error:
        if not is_not_found(error):
            raise


def media_url(recording_url: str) -> str:
    """Return the MP3 media URL for a RecordingUrl (which Twilio sends without an extension)."""
    base = recording_url.strip()
    for extension in (".json", ".mp3", ".wav"):
        base = base.removesuffix(extension)
    return base + ".mp3"


def is_twilio_url(url: str) -> bool:
    """Return True only for Twilio's API host, so credentials are never sent elsewhere."""
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname == "api.twilio.com"
