"""Write call events off the caller's path: a queue, one writer thread, a journal for failures."""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
from pathlib import Path

from helpline.calls.events import ContactEvent
from helpline.calls.recorder import record
from helpline.db import Database

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.2, 1.0)


class ContactWriter:
    """Record events in the background so webhooks answer without waiting on the database."""

    def __init__(self, database: Database, journal_path: Path) -> None:
        self.database = database
        self.journal_path = journal_path
        self._queue: queue.Queue[ContactEvent] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, event: ContactEvent) -> None:
        """Queue an event for recording; never blocks and never raises."""
        self._queue.put(event)
        self._ensure_thread()

    def drain(self) -> None:
        """Block until every queued event has been recorded or journaled."""
        self._queue.join()

    def write(self, event: ContactEvent) -> bool:
        """Record one event now, retrying briefly; journal it if the database stays down."""
        for delay in (*RETRY_DELAYS, None):
            try:
                with self.database.transaction() as session:
                    record(session, event)
                return True
            except Exception as error:  # any failure: the event must still not be lost
                if delay is None:
                    self._journal(event, error)
                    return False
                time.sleep(delay)
        return False

    def replay_journal(self) -> tuple[int, int]:
        """Record every journaled event again; return (recorded, still failing)."""
        if not self.journal_path.exists():
            return 0, 0
        # Take the journal aside atomically so concurrent appends go to a fresh file.
        claimed = self.journal_path.with_suffix(f".replaying-{os.getpid()}")
        self.journal_path.rename(claimed)
        recorded = failed = 0
        for line in claimed.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            ok = self.write(ContactEvent.from_json(json.loads(line)))
            recorded, failed = recorded + ok, failed + (not ok)
        claimed.unlink()
        return recorded, failed

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

    def _journal(self, event: ContactEvent, error: Exception) -> None:
        """Append the event to the journal file for replay; log without personal data."""
        log.error(
            "could not record %s event for call %s (%s); journaled for replay",
            event.kind, event.call_sid, type(error).__name__,
        )  # fmt: skip
        self.journal_path.parent.mkdir(parents=True, exist_ok=True)
        with self.journal_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(event.to_json()) + "\n")
