"""Parse, normalise and format phone numbers; recognise withheld caller IDs. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

DEFAULT_REGION = "GB"

# Twilio's stand-ins for a caller ID it will not pass on (ANONYMOUS, RESTRICTED,
# UNKNOWN, BLOCKED, UNAVAILABLE spelt on a keypad).
WITHHELD_PLACEHOLDERS = frozenset(
    {"+266696687", "+7378742833", "+8656696", "+2562533", "+86282452253"}
)
WITHHELD_WORDS = frozenset(
    {"anonymous", "restricted", "unknown", "private", "unavailable", "blocked", "withheld"}
)


@dataclass(frozen=True)
class Caller:
    """Who is calling: an E.164 number, or withheld (no number kept)."""

    number: str | None

    @property
    def withheld(self) -> bool:
        """Return True when the caller's number is not known."""
        return self.number is None


def to_e164(text: str, region: str = DEFAULT_REGION) -> str | None:
    """Return text as an E.164 number, or None if it is not a possible phone number."""
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_from(raw: str | None, region: str = DEFAULT_REGION) -> Caller:
    """Return the caller behind Twilio's From value, treating placeholders as withheld."""
    text = (raw or "").strip()
    if not text or text.lower().strip("+ ") in WITHHELD_WORDS:
        return Caller(number=None)
    number = to_e164(text, region)
    if number is None or number in WITHHELD_PLACEHOLDERS:
        return Caller(number=None)
    return Caller(number=number)


def format_national(number: str) -> str:
    """Return an E.164 number in the format people in its country write it."""
    parsed = phonenumbers.parse(number, None)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def mask(number: str | None) -> str:
    """Return a number with all but its last three digits hidden, for lists."""
    if not number:
        return "withheld"
    hidden = max(len(number) - 3, 0)
    return "•" * hidden + number[hidden:]
