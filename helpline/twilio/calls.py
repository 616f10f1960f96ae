"""Calls as Twilio knows them, for reconciling calls whose final status callback never came."""

from __future__ import annotations

from typing import Any

from flask import Flask

from helpline.twilio.client import is_not_found, twilio_client


def fetch_call(sid: str, app: Flask | None = None) -> Any | None:
    """Return Twilio's Call resource for sid, or None when Twilio has no such call."""
    try:
        return twilio_client(app).calls(sid).fetch()
    except Exception as error:
        if is_not_found(error):
            return None
        raise
