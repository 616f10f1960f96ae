"""Record call events off the caller's path: journal first, then a writer thread to the database.

A webhook's event is committed to this machine's journal (see journal.py) before the webhook
answers, so a deploy's SIGTERM, a SIGKILL or a database outage loses nothing. One writer thread
per process moves events into the database and deletes each from the journal only after its
transaction commits; recording is idempotent (dedupe keys), so an event recorded twice (a crash
between commit and delete, or two processes sweeping the same event) still counts once.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from helpline.calls.events import ContactEvent
from helpline.calls.journal import Journal, JournalError
from helpline.calls.recorder import record
from helpline.database import Database

log = logging.getLogger(__name__)

RETRY_DELAYS = (0.2, 1.0)
# After the retries fail, leave events in the journal for this long rather than queue retries.
DOWN_SECONDS = 5.0
# The writer looks for work this often even when not woken: orphans, and the end of an outage.
SWEEP_SECONDS = 1.0
# Another process's event is taken over once it has waited this long: that process died or is
# stuck. Taking one over early only costs a repeat write, which the dedupe keys absorb.
ORPHAN_SECONDS = 10.0
# An event the database keeps refusing is retried this many times by the writer, then left in the
# journal for `helpline calls replay`, so it cannot hold up the events behind it.
MAX_ATTEMPTS = 5
# Checkpointing the journal fsyncs its main file; now and then is enough to keep it small.
CHECKPOINT_SECONDS = 10.0
# With no journal, how long a webhook waits for its event to reach the database.
DIRECT_SECONDS = 1.0


@dataclass
class Sweep:
    """What one pass over the journal did."""

    recorded: int = 0
    left: int = 0


class ContactWriter:
    """Journal every event before the webhook answers, then record it in the background."""

    def __init__(self, database: Database, journal: Journal, reference_prefix: str) -> None:
        self.database = database
        self.reference_prefix = reference_prefix  # new cases' references start with it
        self.journal = journal
        self._wake = threading.Event()
        self._unjournaled: queue.Queue[tuple[ContactEvent, threading.Event]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._owner = ""
        self._lock = threading.Lock()
        self._sweep_lock = threading.Lock()
        self._stopping = False
        self._down_until = 0.0
        self._checkpoint_due = 0.0

    @property
    def owner(self) -> str:
        """Return this process's name in the journal (new after a fork)."""
        if self._pid != os.getpid():
            self._pid, self._owner = os.getpid(), f"{os.getpid()}-{secrets.token_hex(4)}"
            self._lock, self._sweep_lock = threading.Lock(), threading.Lock()
            self._thread = None
        return self._owner

    def submit(self, event: ContactEvent) -> None:
        """Put the event on disk, then wake the writer; never raises."""
        try:
            self.journal.append(event, self.owner)
        except JournalError as error:
            log.critical("journal unavailable (%s); recording the event directly", error)
            self._record_directly(event)
            return
        self._wake.set()
        self.start()

    def start(self) -> None:
        """Start this process's writer thread; its first sweep replays the whole journal."""
        owner = self.owner
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stopping = False
                self._thread = threading.Thread(
                    target=self._run, name=f"contact-writer-{owner}", daemon=True
                )
                self._thread.start()

    def drain(self, timeout: float | None = None) -> int:
        """Record all the journal holds until done, down or out of time; return events left."""
        return self._finish(timeout, settled_for=0.0)

    def stop(self, timeout: float | None) -> int:
        """Write this process's events within `timeout` seconds and stop; the rest stays on disk."""
        self._stopping = True
        self._wake.set()
        # Only our own events (and orphans): siblings still running will write theirs.
        left = self._finish(timeout, settled_for=ORPHAN_SECONDS)
        if left:
            log.warning("stopping with %d events in the journal for the next start", left)
        return left

    def _finish(self, timeout: float | None, settled_for: float) -> int:
        """Write what is waiting, within the time given; return events left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._write_unjournaled()
        return self._sweep(settled_for, deadline).left

    def journaled_count(self) -> int:
        """Return how many events wait in the journal."""
        return self.journal.count()

    def replay_journal(self) -> tuple[int, int]:
        """Record every journaled event, even ones that failed before; return (recorded, left)."""
        self._import_old_journal()
        sweep = self._sweep(settled_for=0.0, deadline=None, retry_failed=True)
        return sweep.recorded, sweep.left

    def _run(self) -> None:
        """Sweep the journal when woken or every second, until stopped."""
        self._import_old_journal()
        settled_for = 0.0  # the first sweep replays everything this machine journaled
        while not self._stopping:
            try:
                self._write_unjournaled()
                if time.monotonic() >= self._down_until:
                    self._sweep(settled_for, deadline=None)
                    settled_for = ORPHAN_SECONDS
            except Exception:  # the journal itself failed (disk, locks): keep trying
                log.exception("the journal writer failed; trying again shortly")
                self._down_until = time.monotonic() + DOWN_SECONDS
            self._wake.wait(SWEEP_SECONDS)
            self._wake.clear()

    def _sweep(
        self, settled_for: float, deadline: float | None, retry_failed: bool = False
    ) -> Sweep:
        """Record waiting events oldest first; stop early when the database is down."""
        sweep = Sweep()
        with self._sweep_lock:
            after = 0
            while entries := self.journal.waiting(self.owner, settled_for, after):
                for entry in entries:
                    after = entry.id
                    if entry.attempts >= MAX_ATTEMPTS and not retry_failed:
                        continue
                    if _past(deadline) or not self._write_entry(entry.id, entry.event):
                        sweep.left += 1
                    else:
                        sweep.recorded += 1
            if sweep.recorded and time.monotonic() >= self._checkpoint_due:
                self.journal.checkpoint()
                self._checkpoint_due = time.monotonic() + CHECKPOINT_SECONDS
        return sweep

    def _write_entry(self, entry_id: int, event: ContactEvent) -> bool:
        """Record one journaled event, then delete it; count the attempt if the event failed."""
        if time.monotonic() < self._down_until:
            return False
        if not self._record(event):
            if not self._down():  # the database is fine: this event is the problem
                self.journal.failed(entry_id)
            return False
        self.journal.remove(entry_id)
        return True

    def _record(self, event: ContactEvent) -> bool:
        """Record one event in the database, retrying briefly; False if it still fails."""
        for delay in (*RETRY_DELAYS, None):
            try:
                with self.database.transaction() as session:
                    record(session, event, self.reference_prefix)
            except Exception as error:  # any failure: the event stays safe where it is
                if delay is None:
                    log.error(
                        "could not record %s event for call %s (%s); it stays in the journal",
                        event.kind,
                        event.call_sid,
                        type(error).__name__,
                    )
                    return False
                time.sleep(delay)
            else:
                return True
        return False

    def _down(self) -> bool:
        """Check the database after a failure; if it is down, pause writes for a while."""
        try:
            with self.database.transaction() as session:
                session.execute(select(1))
        except Exception:  # any failure means down, for this purpose
            self._down_until = time.monotonic() + DOWN_SECONDS
            return True
        return False

    def _record_directly(self, event: ContactEvent) -> None:
        """With no journal, hand the event to the writer and wait a moment for it to commit."""
        done = threading.Event()
        self._unjournaled.put((event, done))
        self._wake.set()
        self.start()
        if not done.wait(DIRECT_SECONDS):
            log.critical("%s event for call %s is held in memory only", event.kind, event.call_sid)

    def _write_unjournaled(self) -> None:
        """Record events the journal could not take; keep the ones that still fail."""
        failed: list[tuple[ContactEvent, threading.Event]] = []
        while not self._unjournaled.empty():
            event, done = self._unjournaled.get()
            if time.monotonic() >= self._down_until and self._record(event):
                done.set()
                continue
            self._down()
            failed.append((event, done))
        for item in failed:
            self._unjournaled.put(item)

    def _import_old_journal(self) -> None:
        """Take in the JSON-lines journal an earlier release may have left beside this one."""
        old = self.journal.path.with_name("contact-journal.jsonl")
        if old != self.journal.path and old.exists():
            taken = self.journal.import_lines(old, self.owner)
            log.warning("took %d events from the old journal %s", taken, old.name)


def _past(deadline: float | None) -> bool:
    """Return whether a deadline (monotonic seconds) has passed."""
    return deadline is not None and time.monotonic() >= deadline
