"""Read one value from the config file, or fail with the file, the key and the problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ConfigError(Exception):
    """A config value is missing or wrong; the message names the source, key and problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source, self.key, self.problem = source, key, problem


def required_table(raw: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    """Return a required sub-table."""
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise ConfigError(source, key, "missing table")
    return value


def optional_table(raw: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    """Return a sub-table that may be left out (as empty)."""
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(source, key, "must be a table")
    return value


def text(table: Mapping[str, Any], key: str, where: str) -> str:
    """Return a required non-empty string."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        source, _, prefix = where.partition(": ")
        raise ConfigError(source, f"{prefix}.{key}", "must be a non-empty string")
    return value.strip()


def whole_number(
    table: Mapping[str, Any], key: str, default: int, source: str, prefix: str, minimum: int
) -> int:
    """Return an optional integer no smaller than minimum."""
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(source, f"{prefix}.{key}", f"must be a whole number >= {minimum}")
    return value
