"""Caller numbers: E.164 normalisation and withheld caller IDs."""

from __future__ import annotations

import pytest

from helpline.phones import caller_from, format_national, mask, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+447911123456", "+447911123456"),
        ("07911 123456", "+447911123456"),
        ("+44 (0)7911 123456", "+447911123456"),
        ("01785 123456", "+441785123456"),
        ("+12025550143", "+12025550143"),
    ],
)
def test_numbers_normalised_to_e164(raw: str, expected: str) -> None:
    """Any common way of writing a number becomes E.164, with GB as the default region."""
    caller = caller_from(raw)
    assert (caller.number, caller.withheld) == (expected, False)


@pytest.mark.parametrize(
    "raw",
    [
        "+266696687", "+7378742833", "+8656696", "+2562533", "+86282452253",
        "anonymous", "Anonymous", "restricted", "unknown", "private", "PRIVATE",
        "", "   ", None, "not a number", "+", "12", "client:alice",
    ],
)  # fmt: skip
def test_withheld_and_unparseable_numbers(raw: str | None) -> None:
    """Placeholders, the words, empty and unparseable values are withheld: no number kept."""
    caller = caller_from(raw)
    assert caller.withheld
    assert caller.number is None


def test_config_numbers() -> None:
    """The two lines' numbers, as the public writes them, become E.164."""
    assert to_e164("0330 1757 258") == "+443301757258"
    assert to_e164("08081 689111") == "+448081689111"
    assert format_national("+443301757258") == "0330 175 7258"


def test_mask_keeps_last_three_digits() -> None:
    """Lists show only the end of a number."""
    assert mask("+447911123456") == "••••••••••456"
    assert mask(None) == "withheld"
