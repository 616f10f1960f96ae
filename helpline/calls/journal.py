"""The local write-ahead journal: every call event is on disk before Twilio hears our answer.

The journal is an SQLite file used as an outbox. A webhook appends its event in one committed,
fsynced transaction (WAL, synchronous=FULL) and only then answers; the writer thread moves
events into the database and deletes each one only after its transaction has committed. SQLite
gives what a hand-made log file would need work for: appends from several worker processes at
once, no torn records after a crash, and deletion of single events.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from helpline.calls.events import ContactEvent

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    appended_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_owner ON events (owner, id);
"""
WAITING = """
SELECT id, body, attempts FROM events
WHERE id > ? AND (owner = ? OR appended_at <= ?)
ORDER BY id LIMIT 500
"""
# Wait this long for another process's append or delete rather than fail the webhook.
BUSY_MILLISECONDS = 5000


class JournalError(Exception):
    """The journal could not be read or written."""


@dataclass(frozen=True)
class Entry:
    """One journaled event and the row that holds it."""

    id: int
    event: ContactEvent
    attempts: int


class Journal:
    """A crash-safe outbox of call events, shared by every process on this machine."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def append(self, event: ContactEvent, owner: str) -> int:
        """Commit one event to disk (fsynced) and return its id; raise JournalError if we can't."""
        body = json.dumps(event.to_json(), separators=(",", ":"))
        try:
            with self._connection() as connection:
                cursor = connection.execute(
                    "INSERT INTO events (owner, appended_at, body) VALUES (?, ?, ?)",
                    (owner, time.time(), body),
                )
        except sqlite3.Error as error:
            raise JournalError(f"cannot append to {self.path.name}: {error}") from error
        return int(cursor.lastrowid or 0)

    def waiting(self, owner: str, settled_for: float = 0.0, after: int = 0) -> list[Entry]:
        """Return the next events after id `after`: owner's, and others' older than settled_for."""
        with self._connection(durable=False) as connection:
            rows = connection.execute(WAITING, (after, owner, time.time() - settled_for)).fetchall()
        return list(self._entries(rows))

    def remove(self, entry_id: int) -> None:
        """Delete an event that is now committed to the database."""
        with self._connection(durable=False) as connection:
            connection.execute("DELETE FROM events WHERE id = ?", (entry_id,))

    def failed(self, entry_id: int) -> None:
        """Count a failed attempt to record an event (it stays in the journal)."""
        with self._connection(durable=False) as connection:
            connection.execute("UPDATE events SET attempts = attempts+1 WHERE id = ?", (entry_id,))

    def count(self) -> int:
        """Return how many events wait in the journal."""
        if not self.path.exists():
            return 0
        with self._connection(durable=False) as connection:
            return int(connection.execute("SELECT count(*) FROM events").fetchone()[0])

    def checkpoint(self) -> None:
        """Fold the write-ahead log back into the file, off the webhooks' path."""
        # PASSIVE never waits for, nor holds up, a webhook's append.
        with closing(self._connection(durable=False).execute("PRAGMA wal_checkpoint(PASSIVE)")):
            pass

    def import_lines(self, path: Path, owner: str) -> int:
        """Move a JSON-lines journal (an older release's) into this one; return events taken."""
        claimed = path.with_name(f"{path.name}.importing-{os.getpid()}")
        try:
            path.rename(claimed)  # atomically: only one process takes the file
        except FileNotFoundError:
            return 0
        events = list(read_lines(claimed))
        with self._connection() as connection:
            connection.executemany(
                "INSERT INTO events (owner, appended_at, body) VALUES (?, 0, ?)",
                [(owner, json.dumps(event.to_json())) for event in events],
            )
        claimed.unlink()
        return len(events)

    def _entries(self, rows: Iterable[tuple[int, str, int]]) -> Iterator[Entry]:
        """Yield the events of journal rows; a damaged row is reported and kept, never fatal."""
        for entry_id, body, attempts in rows:
            try:
                yield Entry(entry_id, ContactEvent.from_json(json.loads(body)), attempts)
            except (ValueError, KeyError, TypeError):
                log.error("journal %s entry %d is damaged and was left", self.path.name, entry_id)

    def _connection(self, durable: bool = True) -> sqlite3.Connection:
        """Return this thread's connection, opened after any fork (connections don't cross).

        Appends are durable: fsynced before they return. Deletes and attempt counts need not
        be: one lost in a power cut only means an event is recorded again, which is a no-op.
        """
        key = (os.getpid(), durable)  # a forked child never uses its parent's connections
        connections: dict[tuple[int, bool], sqlite3.Connection] = self._local.__dict__.setdefault(
            "connections", {}
        )
        if key not in connections:
            connections[key] = self._open("FULL" if durable else "NORMAL")
        return connections[key]

    def _open(self, synchronous: str) -> sqlite3.Connection:
        """Open the journal file, creating it with owner-only permissions."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.touch(mode=0o600, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_MILLISECONDS / 1000)
        connection.execute(f"PRAGMA busy_timeout={BUSY_MILLISECONDS}")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={synchronous}")
        # Webhooks never pay for a checkpoint; the writer thread checkpoints now and then.
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("PRAGMA journal_size_limit=4194304")
        connection.executescript(SCHEMA)
        return connection


def read_lines(path: Path) -> Iterator[ContactEvent]:
    """Yield the events of a JSON-lines journal; a torn or damaged line is reported, not fatal."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield ContactEvent.from_json(json.loads(line))
        except (ValueError, KeyError, TypeError):
            log.error("journal %s line %d is damaged and was skipped", path.name, number)
