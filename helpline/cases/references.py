"""Case references such as HAR-2026-00042: the service's prefix, the year, a number. Pure."""

from __future__ import annotations

import re

# Any service's prefix: a search for another deployment's reference still reads as a reference.
REFERENCE = re.compile(r"^\s*([A-Za-z]{2,6})-(\d{4})-(\d{1,6})\s*$")


def format_reference(prefix: str, year: int, number: int) -> str:
    """Return a human-readable case reference such as HAR-2026-00042."""
    return f"{prefix}-{year}-{number:05d}"


def canonical_reference(text: str) -> str | None:
    """Return text as a case reference in its stored form (HAR-2026-00042), or None."""
    match = REFERENCE.match(text)
    if match is None:
        return None
    prefix, year, number = match.groups()
    return format_reference(prefix.upper(), int(year), int(number))
