"""Keep the closures in memory so routing never waits on the database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from helpline.routing import ClosurePeriod

log = logging.getLogger(__name__)


class ClosureCache:
    """A snapshot of the closures, refreshed in the background once it is older than max_age."""

    def __init__(self, load: Callable[[], Sequence[ClosurePeriod]], max_age: float) -> None:
        self._load = load
        self._max_age = max_age
        self._periods: tuple[ClosurePeriod, ...] = ()
        self._loaded_at: float | None = None
        self._refreshing = threading.Lock()

    def current(self) -> tuple[ClosurePeriod, ...]:
        """Return the last known closures at once; start a refresh if they are stale."""
        stale = self._loaded_at is None or time.monotonic() - self._loaded_at > self._max_age
        if stale and self._refreshing.acquire(blocking=False):
            threading.Thread(target=self._refresh_and_release, daemon=True).start()
        return self._periods

    def refresh(self) -> bool:
        """Reload now; keep the old snapshot and return False if the database fails."""
        try:
            periods = tuple(self._load())
        except Exception as error:  # the database may be down: routing carries on without it
            log.warning(
                "could not refresh closures (%s); using the last known", type(error).__name__
            )
            return False
        self._periods, self._loaded_at = periods, time.monotonic()
        return True

    def _refresh_and_release(self) -> None:
        """Refresh, then let the next stale read start another refresh."""
        try:
            self.refresh()
        finally:
            self._refreshing.release()
