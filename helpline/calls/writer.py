"""Write call events off the caller's path: a queue, one writer thread, a journal for failures."""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from helpline.calls.events import ContactEvent
from helpline.calls.recorder import record
from helpline.db import Database

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.2, 1.0)
# After the retries fail, journal straight away for this long rather than queueing behind retries.
DOWN_SECONDS = 5.0


class ContactWriter:
    """Record events in the background so webhooks answer without waiting on the database."""

    def __init__(self, database: Database, journal_path: Path) -> None:
        self.database = database
        self.journal_path = journal_path
        self._queue: queue.Queue[ContactEvent] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._down_until = 0.0
        self._journaled = False
        self._replaying = False

    def submit(self, event: ContactEvent) -> None:
        """Queue an event for recording; never blocks and never raises."""
        self._queue.put(event)
        self._ensure_thread()

    def drain(self) -> None:
        """Block until every queued event has been recorded or journaled."""
        self._queue.join()

    def write(self, event: ContactEvent) -> bool:
        """Record one event now, retrying briefly; journal it if the database stays down."""
        if time.monotonic() < self._down_until:
            self._journal(event, "database down")
            return False
        for delay in (*RETRY_DELAYS, None):
            try:
                with self.database.transaction() as session:
                    record(session, event)
            except Exception as error:  # any failure: the event must still not be lost
                if delay is None:
                    self._down_until = time.monotonic() + DOWN_SECONDS
                    self._journal(event, type(error).__name__)
                    return False
                time.sleep(delay)
            else:
                self._recover()
                return True
        return False

    def journaled_count(self) -> int:
        """Return how many events wait in the journal."""
        if not self.journal_path.exists():
            return 0
        return sum(
            1 for line in self.journal_path.read_text(encoding="utf-8").splitlines() if line.strip()
        )

    def replay_journal(self) -> tuple[int, int]:
        """Record every journaled event again; return (recorded, still failing)."""
        # Take the journal aside atomically so concurrent appends go to a fresh file.
        claimed = self.journal_path.with_suffix(f".replaying-{os.getpid()}-{uuid.uuid4().hex}")
        try:
            self.journal_path.rename(claimed)
        except FileNotFoundError:  # nothing journaled, or another process took it first
            return 0, 0
        self._replaying = True
        try:
            results = [self.write(event) for event in _read_journal(claimed)]
        finally:
            self._replaying = False
        claimed.unlink()
        return sum(results), len(results) - sum(results)

    def _ensure_thread(self) -> None:
        """Start the writer thread on first use (and again after a fork)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="contact-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        """Record queued events one at a time, for ever."""
        while True:
            event = self._queue.get()
            try:
                self.write(event)
            finally:
                self._queue.task_done()

    def _recover(self) -> None:
        """After an outage this process journaled through, replay the journal once."""
        if self._journaled and not self._replaying:
            self._journaled = False
            recorded, failed = self.replay_journal()
            log.info(
                "database back: replayed %d journaled events, %d still failing", recorded, failed
            )

    def _journal(self, event: ContactEvent, problem: str) -> None:
        """Append the event to the journal file for replay; log without personal data."""
        self._journaled = True
        log.error(
            "could not record %s event for call %s (%s); journaled for replay",
            event.kind, event.call_sid, problem,
        )  # fmt: skip
        self.journal_path.parent.mkdir(parents=True, exist_ok=True)
        with self.journal_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event.to_json()) + "\n")


def _read_journal(path: Path) -> Iterator[ContactEvent]:
    """Yield the events in a journal file, skipping (and logging) any damaged line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield ContactEvent.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError):
            log.error("journal %s line %d is damaged and was skipped", path.name, number)
