"""One run of a job at a time, even across clock processes and machines sharing a database."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import text

from helpline.database import Database

# A fixed high word keeps our advisory locks apart from any other application's.
LOCK_NAMESPACE = 0x48454C50  # "HELP"


def lock_key(job: str) -> int:
    """Return the PostgreSQL advisory lock key for a job: stable across processes."""
    return (LOCK_NAMESPACE << 32) | zlib.crc32(job.encode())


@contextmanager
def job_lock(database: Database, job: str, lock_directory: Path) -> Iterator[bool]:
    """Yield True holding the job's lock, or False at once if another process holds it."""
    if database.engine.dialect.name == "postgresql":
        with _advisory_lock(database, job) as held:
            yield held
        return
    with _file_lock(_lock_path(database, job, lock_directory)) as held:
        yield held


@contextmanager
def _advisory_lock(database: Database, job: str) -> Iterator[bool]:
    """Hold a session-level pg advisory lock on a connection of its own."""
    key = lock_key(job)
    with database.engine.connect() as connection:
        held = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        )
        connection.commit()
        try:
            yield held
        finally:
            if held:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    """Hold an OS file lock (released by the OS if the process dies)."""
    lock = FileLock(path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def _lock_path(database: Database, job: str, lock_directory: Path) -> Path:
    """Return the lock file beside the SQLite database, so every process on it agrees."""
    name = database.engine.url.database
    folder = Path(name).parent if name and name != ":memory:" else lock_directory
    return folder / f"helpline-job-{job}.lock"
