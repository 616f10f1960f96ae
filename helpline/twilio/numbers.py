"""The helpline number's voice settings at Twilio: what they should be, and changing them."""

from __future__ import annotations

from typing import Any

from flask import Flask

from helpline.twilio.client import twilio_client

# Twilio's names for the number's voice settings, as the Python client spells them.
SETTINGS = (
    "voice_url",
    "voice_method",
    "voice_fallback_url",
    "voice_fallback_method",
    "status_callback",
    "status_callback_method",
)
# Twilio's webhook connection overrides, read from the Voice URL's fragment (never sent to us):
# connect within 1 s, answer within 2 s, one retry of a failed connection, 3 s in all. Twilio
# then asks the fallback URL, so a dead service costs the caller about 3 s, not 15.
CONNECTION_OVERRIDES = {"ct": 1000, "rt": 2000, "tt": 3000, "rc": 1}


def overrides_fragment() -> str:
    """Return the connection overrides as the URL fragment Twilio reads (#ct=...&rt=...)."""
    return "#" + "&".join(f"{key}={value}" for key, value in CONNECTION_OVERRIDES.items())


def wanted_settings(base_url: str, fallback_url: str | None = None) -> dict[str, str]:
    """Return the voice settings a number needs to be answered by the service at base_url."""
    return {
        "voice_url": f"{base_url}/voice/incoming{overrides_fragment()}",
        "voice_method": "POST",
        "voice_fallback_url": fallback_url or f"{base_url}/voice/fallback",
        "voice_fallback_method": "POST",
        "status_callback": f"{base_url}/voice/status",
        "status_callback_method": "POST",
    }


def changes_for(number: Any, wanted: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Return each setting that differs: name -> (current, wanted)."""
    current = {name: str(getattr(number, name, "") or "") for name in SETTINGS}
    return {
        name: (current[name], value) for name, value in wanted.items() if current[name] != value
    }


def find_number(e164: str, app: Flask | None = None) -> Any | None:
    """Return the account's IncomingPhoneNumber for e164, or None if the account has none."""
    matches = twilio_client(app).incoming_phone_numbers.list(phone_number=e164, limit=2)
    return matches[0] if matches else None


def update_number(sid: str, changes: dict[str, tuple[str, str]], app: Flask | None = None) -> None:
    """Send the wanted value of each changed setting to Twilio in one request."""
    wanted = {name: value for name, (_, value) in changes.items()}
    twilio_client(app).incoming_phone_numbers(sid).update(**wanted)
