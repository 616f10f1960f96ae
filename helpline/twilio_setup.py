"""Moved to helpline.twilio; kept only for helpline.voice.signature's import until it changes."""

from __future__ import annotations

from helpline.twilio.numbers import overrides_fragment

__all__ = ["overrides_fragment"]
