"""Slow down password guessing from one address, whatever emails it tries. Pure."""

from __future__ import annotations

from collections import deque
from threading import Lock


class AddressThrottle:
    """Allow at most `limit` failed sign-ins per address in any `window` seconds."""

    def __init__(self, limit: int = 20, window: float = 900.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    def blocked(self, address: str, now: float) -> bool:
        """Return True when this address has failed too often recently."""
        with self._lock:
            recent = self._recent(address, now)
            return len(recent) >= self.limit

    def fail(self, address: str, now: float) -> None:
        """Count one failed attempt from this address."""
        with self._lock:
            self._recent(address, now).append(now)

    def _recent(self, address: str, now: float) -> deque[float]:
        """Return the address's failures inside the window, dropping older ones."""
        failures = self._failures.setdefault(address, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures
