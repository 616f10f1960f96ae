"""The database engine and the one transaction pattern: `with database.transaction() as s`.

No Flask here: the app keeps its Database in `helpline.current` (see db.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker


class Database:
    """An engine and its session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session in a transaction, committed on success and rolled back on error."""
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the dialect: short timeouts so failures surface fast."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5, "options": "-c statement_timeout=15000"},
    )


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    """Enforce foreign keys and let readers run beside the writer."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def insert_for(session: Session) -> Any:
    """Return the dialect's INSERT construct, which supports ON CONFLICT on both databases."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def failure_reason(error: SQLAlchemyError) -> str:
    """Return the database driver's own first line about a failure (never the URL), for people."""
    return str(getattr(error, "orig", None) or type(error).__name__).splitlines()[0]
