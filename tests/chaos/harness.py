"""One chaos run: the server, its traffic, and the verdict through the export."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.chaos.judge import expectations, quiet, replay, settle, verdict
from tests.chaos.server import Gunicorn
from tests.chaos.traffic import Traffic
from tests.conftest import POSTGRES_ADMIN_URL
from tests.twilio_driver import CallPlan, Exchange, TwilioDriver, call_plans

log = logging.getLogger(__name__)


@dataclass
class Chaos:
    """A test's gunicorn, environment and calls (all call SIDs start with CA + prefix)."""

    env: Mapping[str, str]
    server: Gunicorn
    prefix: str
    database_url: str
    started: float = field(default_factory=time.monotonic)
    timeline: list[str] = field(default_factory=list)

    def mark(self, moment: str) -> None:
        """Note when a phase ended, for the verdict (slow phases show on a loaded machine)."""
        self.timeline.append(f"{moment} {time.monotonic() - self.started:.1f}s")
        log.info("chaos %s: %s", self.prefix, self.timeline[-1])

    @property
    def driver(self) -> TwilioDriver:
        """Return a Twilio-faithful driver aimed at the server."""
        return TwilioDriver(self.server.url)

    def plans(self, count: int) -> list[CallPlan]:
        """Return this test's calls."""
        return list(call_plans(self.prefix, count))

    def traffic(self, count: int, rate: float = 8.0) -> Traffic:
        """Return paced background traffic of count calls."""
        return Traffic(self.driver, self.plans(count), rate)

    def conclude(
        self, title: str, exchanges: Sequence[Exchange], settle_first: bool = True
    ) -> None:
        """Stop the server (after the writes settle, unless told not to), replay, then judge."""
        expected = expectations(exchanges)
        unanswered = [e.describe() for e in exchanges if not e.acked]
        self.mark("traffic done")
        if settle_first:
            quiet(self.database_url, "CA" + self.prefix, expected)
            self.mark("writes landed")
        code = self.server.stop()
        self.mark("stopped")
        said = replay(self.env)
        self.mark("replayed")
        # Nothing runs now but what the replay left: one re-read confirms the export is final.
        _rows, wrong = settle(self.env, "CA" + self.prefix, expected, unchanged=1)
        self.mark("exported")
        notes = (f"gunicorn exit {code}; {said}; {len(unanswered)} webhooks never answered 2xx"
                 f"\ntimeline: {', '.join(self.timeline)}\n{self.server.log_tail()}")  # fmt: skip
        assert not wrong, verdict(title, expected, wrong, notes)
        assert len(expected) >= len({e.sid for e in exchanges}) * 0.9, notes

    @contextlib.contextmanager
    def database_cut_off(self) -> Iterator[None]:
        """Refuse and drop every connection to the test database, then let them back."""
        name = make_url(self.database_url).database
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
                connection.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name},
                )  # fmt: skip
            yield
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            admin.dispose()
