"""Calls played concurrently against a live server, paced like real arrivals."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from tests.chaos.server import wait_for
from tests.twilio_driver import CallPlan, Exchange, TwilioDriver


class Traffic:
    """Start one call every 1/rate seconds in the background; collect every webhook sent."""

    def __init__(self, driver: TwilioDriver, plans: Sequence[CallPlan], rate: float = 8.0):
        self.driver = dataclasses.replace(driver, on_answer=self._answered)
        self.plans, self.rate = list(plans), rate
        self._pool = ThreadPoolExecutor(max_workers=24, thread_name_prefix="caller")
        self._calls: list[Future[list[Exchange]]] = []
        self._done = self._acked = self._surged = 0
        self._lock = threading.Lock()
        self._feeder = threading.Thread(target=self._feed, name="arrivals", daemon=True)

    def __enter__(self) -> Traffic:
        """Start the arrivals."""
        self._feeder.start()
        return self

    def __exit__(self, *_: object) -> None:
        """Drop calls not yet started (a failed test must not keep calling)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _feed(self) -> None:
        """Submit each call at its arrival time (open loop: arrivals never wait on answers)."""
        start = time.monotonic()
        for index, plan in enumerate(self.plans):
            while time.monotonic() < start + (index - self._surged) / self.rate:
                time.sleep(0.01)  # short naps, so a surge starts at once
            call = self._pool.submit(self.driver.play, plan)
            call.add_done_callback(self._finished)
            with self._lock:
                self._calls.append(call)

    def surge(self, count: int) -> None:
        """Make the next count calls arrive at once (a busy moment to strike in)."""
        with self._lock:
            self._surged += count

    def _finished(self, _call: Future[list[Exchange]]) -> None:
        """Count a call that has ended (however it ended)."""
        with self._lock:
            self._done += 1

    def _answered(self, exchange: Exchange) -> None:
        """Count a webhook Twilio heard 2xx for."""
        if exchange.acked:
            with self._lock:
                self._acked += 1

    @property
    def started(self) -> int:
        """Return how many calls have arrived so far."""
        with self._lock:
            return len(self._calls)

    @property
    def done(self) -> int:
        """Return how many calls have ended."""
        with self._lock:
            return self._done

    @property
    def acked(self) -> int:
        """Return how many webhooks have been answered 2xx so far."""
        with self._lock:
            return self._acked

    def wait_done(self, count: int, timeout: float = 60) -> None:
        """Wait until count calls have ended."""
        wait_for(lambda: self.done >= count, timeout, f"{count} calls to end ({self.done} so far)")

    def busy_moment(self, calls: int = 8, timeout: float = 30) -> None:
        """Surge calls in and return once as many webhooks more are answered: acks in flight."""
        target = self.acked + calls
        self.surge(calls)
        wait_for(lambda: self.acked >= target, timeout, f"{target} webhooks answered")

    def finish(self, timeout: float = 120) -> list[Exchange]:
        """Wait for every call to end and return all their webhooks, call by call."""
        self._feeder.join(timeout)
        wait_for(lambda: self.done >= len(self.plans), timeout, "every call to end")
        with self._lock:
            return [exchange for call in self._calls for exchange in call.result()]
