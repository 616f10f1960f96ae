"""Tell a known caller from a new one without ever holding up the call."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from helpline.database import Database
from helpline.models import Case

log = logging.getLogger(__name__)

# A small pool of its own: a slow database can tie up these threads, never the webhook.
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="caller-lookup")


def has_open_case(database: Database, number: str) -> bool:
    """Return True if the number has an open case."""
    with database.transaction() as session:
        query = select(Case.id).where(Case.caller_number == number, Case.status == "open")
        return session.scalars(query.limit(1)).first() is not None


def caller_kind(database: Database, number: str, seconds: float) -> str:
    """Return "known" or "new"; "new" whenever the database is slow, down or failing."""
    try:
        return (
            "known" if _lookups.submit(has_open_case, database, number).result(seconds) else "new"
        )
    except Exception as error:  # timeout or database error: the caller still gets through
        log.warning(
            "caller lookup unavailable (%s); treating as a new caller", type(error).__name__
        )
        return "new"
